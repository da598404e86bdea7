Feature: Scheduling, events and memory tracking in the reference hypervisor
  A 1 ms tick from Tegra TMR1 drives preemption (sched=preempt), event
  channels carry upcalls between domains, first touches of domain pages are
  counted through access-flag faults, and 64-bit arithmetic runs on libgcc.

  Scenario: timer tick and preemption
    Given the scenario "hyp-preemption.yaml"
    When it runs
    Then the scenario passes
    And the console shows "[spin1] spin: dom1 round 1/3" before "[spin0] spin: done after 3 rounds"

  Scenario: without preemption a CPU-bound domain runs to its end first
    Given the reference hypervisor with the boot volume "spin.yaml"
    When it runs
    Then the console shows "scheduler: cooperative"
    And the console shows "[spin0] spin: done after 3 rounds" before "[spin1] spin: dom1 round 1/3"
    And the console shows "/dom0 spin0: .* 0 preemptions/"

  Scenario: an event channel ping-pong with upcalls
    Given the reference hypervisor with the boot volume "pingpong.yaml"
    When it runs
    Then the console shows "event channel: dom0:1 <-> dom1:1"
    And the console shows "[dom1] ping 10/10" within 10ms
    And the console shows "[dom0] pingpong: done after 10 rounds"
    And the console shows "/dom0 dom0: \d+ first-touch \(access flag\) faults, 10 upcalls/"
    And the console never shows "WATCHDOG"

  Scenario: access-flag faults count each domain's first touch of its pages
    Given the reference hypervisor with the boot volume "solo.yaml"
    When it runs
    Then the console shows "mmu: on (short descriptors, AFE=1, ASIDs per domain)"
    And the console shows "/^dom0 solo: [1-9]\d* first-touch \(access flag\) faults/"

  Scenario: 64-bit division through libgcc gives exact results
    Given the reference hypervisor with the boot volume "spin.yaml"
    And the command line also has "sched=preempt"
    When it runs
    Then the console shows "[spin0] spin: 64-bit division: 18446744073709551615 / 10 = 1844674407370955161 remainder 5"
    And the console shows "[spin1] spin: signed 64-bit division: -9000000000000000000 / 7 = -1285714285714285714 remainder -2"
    And the console shows "/dom1 spin1: .* cpu [1-9]\d* us$/"
