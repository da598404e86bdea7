Feature: Booting the reference hypervisor on the simulated Xoom
  The reference hypervisor boots from ATAGs, finds its domains in the boot
  volume, and runs what the configuration names — no rebuild needed.

  Scenario: two domains ping-pong an event to completion
    Given the scenario "pingpong.yaml"
    When it runs
    Then the scenario passes
    And the console shows "[dom1] ping 10/10" within 10ms
    And the console shows "[dom0] pingpong: done after 10 rounds"
    And the console never shows "WATCHDOG"
    And the machine halts

  Scenario Outline: the same build runs <count> from the configuration only
    Given the reference hypervisor with the boot volume "<volume>"
    And the command line also has "sched=preempt"
    When it runs
    Then the console shows "configuration: <count>"
    And the console shows ": starting image" <n> times
    And the console shows "all domains have shut down"
    And the machine halts

    Examples:
      | volume     | count     | n |
      | solo.yaml  | 1 domains | 1 |
      | crash.yaml | 3 domains | 3 |
