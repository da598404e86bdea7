Feature: The reference hypervisor on both Cortex-A9s
  With maxcpus=2 the hypervisor starts CPU1 the Tegra20 way (EVP reset
  vector, CAR clock and reset, flow controller), pins domains to the CPUs
  round robin, serialises itself with one lock taken on every trap, and
  kicks the other CPU (SGI 1 and SEV) when it makes one of its domains
  runnable. tegra2-xoom has two cores unless a scenario asks for one.

  Scenario: both CPUs online and two domains pinned to two CPUs ping-pong an event
    Given the scenario "hyp-smp-pingpong.yaml"
    When it runs
    Then the scenario passes
    And the console shows "smp: CPU1 up (MPIDR 0x80000001)" before "dom1 dom1: pinned to CPU1"
    And the console shows "[dom1] ping 1/10" before "[dom0] pong 1/10"
    And the run replays identically

  Scenario: the FIQ debugger shows both CPUs
    Given the scenario "hyp-smp-fiq.yaml"
    When it runs
    Then the scenario passes
    And the run replays identically

  Scenario: an interleaving seed exposes the deliberately racy event send
    Given the scenario "hyp-smp-race.yaml"
    When it runs
    Then the scenario passes
    And the console shows "/^WATCHDOG: dom\d dom\d: event on port 1 pending/"
    And the run replays identically

  Scenario: the racy event send passes under the default schedule
    Given the scenario "hyp-smp-race-default.yaml"
    When it runs
    Then the scenario passes
    And the run replays identically

  Scenario: with CPU1 tickless when idle, every kick wakes it
    Given the scenario "hyp-smp-nohz.yaml"
    When it runs
    Then the scenario passes
    And the run replays identically

  Scenario: a lost IPI to the tickless CPU1 is caught by the event watchdog
    Given the scenario "hyp-smp-lost-ipi.yaml"
    When it runs
    Then the scenario passes
    And the console shows "[dom1] ping 2/10"
    And the console never shows "[dom1] ping 4/10"
    And the run replays identically

  Scenario: the same lost IPI is harmless when CPU1 idles in WFE (the kick's SEV wakes it)
    Given the scenario "hyp-smp-lost-ipi.yaml"
    And the command line also has "nohz=off"
    When it runs
    Then the console shows "[dom1] pingpong: done after 10 rounds"
    And the console never shows "WATCHDOG"

  Scenario: on one core the hypervisor asked for two CPUs runs on one
    Given the reference hypervisor with the boot volume "pingpong.yaml"
    And the machine runs one core
    And the command line also has "maxcpus=2"
    When it runs
    Then the console shows "smp: CPU1 did not come up within 10 ms; running on one CPU"
    And the console shows "[dom0] pingpong: done after 10 rounds"
    And the console never shows "pinned to CPU"

  Scenario: with maxcpus=1 (the default) the FIQ debugger lists CPU1 offline
    Given the reference hypervisor with the boot volume "console.yaml"
    And "cpus\n" is typed at 8ms
    And "regs 1\n" is typed at 9ms
    And the run stops once the console shows "CPU1 is not online"
    When it runs
    Then the console shows "fiq> cpus" before "/^  CPU0: online, MPIDR 0x80000000, (idle|runs dom\d \w+) \(this CPU\)$/"
    And the console shows "  CPU1: offline (maxcpus=1)"
    And the console shows "fiq> regs 1" before "  CPU1 is not online"

  Scenario: a bisection over hypervisor builds under the interleaving seed finds the racy build, and its trace diff starts right after CPU0 kicks CPU1
    When the hypervisor builds "hypervisor.elf, hypervisor.elf, hypervisor-racy.elf, hypervisor-racy.elf" are bisected with the scenario "hyp-smp-seeded.yaml"
    Then the first bad build is number 3, "hypervisor-racy.elf"
    And the bisection report shows "verdict: PASS (last good) -> FAIL (first bad)"
    And the bisection report shows "/bad: +\"WATCHDOG: dom\d dom\d: event on port 1 pending/"
    And the bisection report shows "/common before it:(\n +\[[^\n]*)*\n +\[ *\d+\] mmio +core 0: write32 0x50041f00 = 0x00020001\n +last good:\n/"
    And the bisection report shows "/first bad:\n +> \[ *\d+\] exception core 1: irq from usr/"
