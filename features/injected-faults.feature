Feature: Bit flips, corrupted console input, lost and spurious interrupts
  Every fault acts through the machine's input log at an exact instruction,
  so a run that shows a problem shows it the same way every time, and a
  replay of its log repeats it.

  Scenario: a bit flip in RAM lands at its time and stays
    Given the reference hypervisor with the boot volume "pingpong.yaml"
    And bit 7 of 0x01000000 flips at 1ms
    And bit 12 of 0x01000010 flips at 2ms
    When it runs
    Then a bit-flip fault fired at 1ms
    And 2 faults fired
    And the byte at 0x01000000 is 0x80
    And the word at 0x01000010 is 0x00001000
    And the machine halts
    And register pc is in board_power_off

  Scenario: a corrupted byte of typed input reaches the FIQ debugger as it was corrupted
    Given the reference hypervisor with the boot volume "pingpong.yaml"
    And "help\r" is typed at 5ms
    And the 2nd byte typed is XORed with 0x20
    When it runs
    Then uartd received "hElp\r"
    And the console shows "fiq> hElp"
    And the console never shows "fiq> help"

  Scenario: a dropped byte of typed input never arrives
    Given the reference hypervisor with the boot volume "pingpong.yaml"
    And "domains\r" is typed at 5ms
    And the 1st byte typed is dropped
    When it runs
    Then uartd received "omains\r"
    And the console shows "fiq> omains"

  Scenario: a lost timer interrupt silences the event watchdog
    The timer holds its interrupt until the hypervisor clears it; once the
    controller has missed one assertion the tick stops, and with it the
    watchdog that should report the lost upcalls.
    Given the reference hypervisor with the boot volume "pingpong.yaml"
    And the command line also has "evtwd=20"
    And every upcall from the 1st on is lost
    And the 3rd assertion of GIC line 32 is lost
    And the run is limited to 35ms
    When it runs
    Then 1 lost-interrupt fault fired
    And the console never shows "WATCHDOG"

  Scenario: without the lost interrupt the same watchdog fires
    Given the reference hypervisor with the boot volume "pingpong.yaml"
    And the command line also has "evtwd=20"
    And every upcall from the 1st on is lost
    And the run stops once the console shows "WATCHDOG:"
    When it runs
    Then the console shows "WATCHDOG:" within 35ms

  Scenario: a spurious FIQ on the console line panics the reference hypervisor
    The FIQ handler finds no console byte behind the interrupt and treats it
    as a FIQ from an unknown source.
    Given the reference hypervisor with the boot volume "pingpong.yaml"
    And a spurious interrupt on LIC line 90 at 6ms
    When it runs
    Then 1 spurious-interrupt fault fired
    And the console shows "*** HYPERVISOR PANIC: FIQ from a source other than the console UART"
    And the machine halts

  Scenario: the console stays responsive during an interrupt storm
    Given the scenario "irq-storm-console.yaml"
    When it runs
    Then the scenario passes
    And 2 irq-storm faults fired

  Scenario: an interrupt storm assembled by steps
    Given the reference hypervisor with the boot volume "pingpong.yaml"
    And an interrupt storm on GIC line 32: 200 pulses every 4us from 5ms
    When it runs
    Then 2 irq-storm faults fired
    And the console shows "[dom0] pingpong: done after 10 rounds"
    And the console never shows "PANIC"
    And the machine halts

  Scenario: the Tegra20 device program shows its golden picture, and nothing on the other UARTs
    Given the scenario "tegra-devices.yaml"
    When it runs
    Then the scenario passes
    And the display shows the picture "test/programs-tegra/expected/tegra_devices.png"
    And uartd shows "tegra_devices: PASS"
    And uarta never shows "/./"
    And register pc is in exit
    And register cpsr is 0x60000153

  Scenario: a spurious interrupt after the hypervisor has powered off replays identically
    The pulse lands after the guest went idle (6.93 ms): it still takes
    effect, and the machine halts after it, in the run and in its replay.
    Given the reference hypervisor with the boot volume "pingpong.yaml"
    And a spurious interrupt on GIC line 40 at 7ms
    When it runs
    Then the console shows "bringup-hyp: power off"
    And a spurious-interrupt fault fired at 7ms
    And the machine halts
    And the run replays identically
