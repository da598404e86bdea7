Feature: Faults in domains and in the hypervisor
  Faults are injected at exact points of the run (an instruction count, the
  Nth execution of a symbol, the Nth access to an address, the Nth call of a
  function), so every run of a scenario fails in exactly the same place.

  Scenario: a NULL dereference kills the domain with a dump naming the fault
    Given the reference hypervisor with the boot volume "crash.yaml"
    And the command line also has "sched=preempt"
    When it runs
    Then domain "crash" is killed by a data abort "Translation fault, section" in load
    And the console shows "dom2 crash: killed"
    And the console shows "[ping] pingpong: done after 3 rounds"
    And the console never shows "HYPERVISOR PANIC"
    And the machine halts

  Scenario: a lost upcall triggers the event watchdog
    Given the reference hypervisor with the boot volume "pingpong.yaml"
    And the command line also has "evtwd=20"
    And every upcall from the 1st on is lost
    And the run stops once the console shows "WATCHDOG:"
    When it runs
    Then the console shows "/WATCHDOG: dom\d dom\d: event on port 1 pending for \d+ ms with no upcall delivered/" within 100ms
    And the console never shows "[dom0] pong 1/10"

  Scenario: an injected data abort in the hypervisor panics it
    Given the reference hypervisor with the boot volume "pingpong.yaml"
    And a data abort (translation fault) at the 3rd execution of sched_return
    When it runs
    Then 1 fault fired
    And the hypervisor panics with a data abort in sched_return
    And the console shows "*** HYPERVISOR PANIC: data abort in the hypervisor"
    And the machine halts

  Scenario: the scenario file with the same fault passes
    Given the scenario "hyp-data-abort.yaml"
    When it runs
    Then the scenario passes

  Scenario: a data abort inside __divdi3 panics the hypervisor with a backtrace
    Given the reference hypervisor with the boot volume "pingpong.yaml"
    And a data abort (translation fault) at the 2nd execution of __divdi3
    When it runs
    Then 1 fault fired
    And the hypervisor panics with a data abort in __divdi3
    And the console shows "<cycles_to_us+"
    And the console shows "backtrace (frame pointers):" before "*** HYPERVISOR PANIC: data abort in the hypervisor"
    And the machine halts

  Scenario: a jump into an execute-never data page is a prefetch abort that kills the domain
    Given the reference hypervisor with the boot volume "xn.yaml"
    And the command line also has "sched=preempt"
    When it runs
    Then domain "jumper" is killed by a prefetch abort "Permission fault, page" at 0x80001000
    And the console shows "IFAR 0x80001000"
    And the console shows "dom2 jumper: killed"
    And the console shows "[ping] pingpong: done after 3 rounds"
    And the console never shows "returned from a data page"
    And the machine halts
