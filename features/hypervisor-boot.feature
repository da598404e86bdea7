Feature: The reference hypervisor boots from ATAGs and its boot volume
  The hypervisor reads the memory map, command line and initrd from the ATAG
  list, checks the boot volume, turns on the MMU and the caches (L1 and the
  PL310 L2) and starts the domains its configuration names.

  Scenario: banner and the memory map from ATAG_MEM
    Given the reference hypervisor with the boot volume "pingpong.yaml"
    When it runs
    Then the console shows "/^bringup reference hypervisor \d+\.\d+\.\d+ \(ARMv7 paravirtual, Tegra2\)$/"
    And the console shows "memory map (ATAG_MEM):" before "bank 0: 0x00000000 - 0x1bffffff (448 MiB)"
    And the console shows "bank 1: 0x20000000 - 0x3ffbffff (511 MiB)"
    And the console shows "command line: \"console=ttyS0\""
    And the console shows "/^initrd: 0x08000000 - 0x[0-9a-f]{8} \(\d+ bytes\)$/"
    And the console shows "/volume: BRVOLUME v1, 3 images, \d+ bytes, header CRC-32 0x[0-9a-f]{8} ok/"

  Scenario: the PL310 L2 cache and the L1 caches are enabled
    Given the reference hypervisor with the boot volume "pingpong.yaml"
    When it runs
    Then the console shows "l2: PL310 (cache id 0x410000c4) 8 ways x 128 KiB = 1024 KiB, enabled"
    And the console shows "l1: instruction and data caches on, branch prediction on"
    And the console shows "mmu: on" before "l2: PL310"

  Scenario Outline: the configuration alone decides the domains: <count>
    Given the reference hypervisor with the boot volume "<volume>"
    And the command line also has "sched=preempt"
    When it runs
    Then the console shows "configuration: <count>"
    And the console shows ": starting image" <n> times
    And the console shows "<first>"
    And the console shows "all domains have shut down"
    And the board powers off

    Examples:
      | volume        | count     | n | first                                         |
      | solo.yaml     | 1 domains | 1 | dom0 solo: starting image pingpong, 1024K     |
      | pingpong.yaml | 2 domains | 2 | dom1 dom1: starting image pingpong, 2048K     |
      | crash.yaml    | 3 domains | 3 | dom2 crash: starting image nullderef, 1024K   |
