Feature: The reference hypervisor's consoles
  Domain output is muxed line by line with the domain's name; console=gdb
  wraps everything in GDB O packets; the display shows the same text as the
  serial console; typed input can go to the domain that owns the console.

  Scenario: console mux: every domain line carries the domain's name
    Given the reference hypervisor with the boot volume "pingpong.yaml"
    When it runs
    Then the console shows "[dom0] pingpong: dom0, peer dom1, 10 rounds, serving"
    And the console shows "[dom1] pingpong: dom1, peer dom0, 10 rounds, receiving"
    And the console shows "[dom1] ping 1/10" before "[dom0] pong 1/10"
    And the console never shows "/^(ping|pong) \d+/"

  Scenario: GDB O-packet mode carries the whole console
    Given the reference hypervisor with the boot volume "solo.yaml"
    And the command line also has "console=gdb"
    When it runs
    Then the console shows "/^\$O[0-9a-f]+#[0-9a-f]{2}/"
    And the GDB console output decodes to "bringup reference hypervisor"
    And the GDB console output decodes to "[solo] pingpong: no event channel on port 1: nothing to do"
    And the GDB console output decodes to "bringup-hyp: power off"

  Scenario: the framebuffer console mirrors the serial console
    Given the reference hypervisor with the boot volume "pingpong.yaml"
    And the command line also has "evtwd=100"
    When it runs with the display captured
    Then the console shows "fb: 1280x800 B5G6R5 at 0x07c00000, 160x100 text console (8x8 font), display window A"
    And the framebuffer has at least 400 text pixels in its first text row
    And the framebuffer equals the golden picture "test/golden/hypervisor-pingpong.png"

  Scenario: typed lines reach the domain that owns the console
    Given the reference hypervisor with the boot volume "console.yaml"
    And "console shell\n" is typed at 8ms
    And "hello world\n" is typed at 9ms
    And "quit\n" is typed at 10ms
    When it runs
    Then the console shows "(fiq) console input to dom0 shell (Ctrl-A switches)"
    And the console shows "[shell] echo: line 1: \"hello world\" (11 bytes), reversed \"dlrow olleh\""
    And the console shows "[shell] echo: quit after 2 lines"
    And the console never shows "fiq> hello world"
    And the board powers off

  Scenario: dom0 asks for power-off; with poweroff=reset the PMC resets the board
    Given the reference hypervisor with the boot volume "console.yaml"
    And the command line also has "poweroff=reset"
    And "console\npoweroff\n" is typed at 8ms
    When it runs
    Then the console shows "dom0 shell: asks for power off"
    And the console shows "power: no PMIC power-off on this board; PMC main reset instead (poweroff=reset)"
    And the console shows "bringup-hyp: power off"
    And the PMC resets the board
