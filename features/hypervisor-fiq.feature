Feature: The FIQ debugger
  The console UART's receive interrupt is routed as FIQ through the legacy
  interrupt controller, so typed lines reach the debugger whatever the CPU is
  doing; commands inspect the context the FIQ interrupted.

  Scenario: the scenario file with commands and a hand-over to a domain passes
    Given the scenario "hyp-fiq-debugger.yaml"
    When it runs
    Then the scenario passes

  Scenario: help, regs, bt, domains, events, irqs and mem
    Given the reference hypervisor with the boot volume "console.yaml"
    And "help\n" is typed at 8ms
    And "regs\n" is typed at 9ms
    And "bt\n" is typed at 10ms
    And "domains\n" is typed at 11ms
    And "events\n" is typed at 12ms
    And "irqs\n" is typed at 13ms
    And "mem 0x100000 32\n" is typed at 14ms
    And "mem shell 0x80000000 16\n" is typed at 15ms
    And "mem 0x40\n" is typed at 16ms
    And "frobnicate\n" is typed at 17ms
    And the run stops once the console shows "unknown command 'frobnicate'"
    When it runs
    Then the console shows "fiq> help" before "/^  mem \[DOM\] ADDR \[LEN\] +hex dump/"
    And the console shows "fiq> regs" before "/^   r0 [0-9a-f]{8}   r1 [0-9a-f]{8}   r2 [0-9a-f]{8}   r3 [0-9a-f]{8}/"
    And the console shows "/^  pc 0x[0-9a-f]{8} <\w+\+0x[0-9a-f]+>/"
    And the console shows "fiq> bt" before "  backtrace (frame pointers):"
    And the console shows "/^    called from 0x[0-9a-f]{8} <\w+\+0x[0-9a-f]+>$/"
    And the console shows "fiq> domains" before "/^  dom0 shell: blocked prio 10 mem 1024K at 0x[0-9a-f]{8} asid 1 console on$/"
    And the console shows "/^  dom2 pong: dead prio 5 mem 1024K/"
    And the console shows "fiq> events" before "ping:1 -> pong:1 bound idle unmasked"
    And the console shows "fiq> irqs" before "/^  GIC  32 \(TMR1 tick\): \d+ IRQs$/"
    # One FIQ per byte: the 33 bytes typed before "irqs" runs arrive one character time apart.
    And the console shows "/^  LIC SPI 90 \(UARTD receive\): 33 FIQs$/"
    And the console shows "fiq> mem 0x100000 32" before "/^  00100000: ([0-9a-f]{2} ){16} .{16}$/"
    And the console shows "/^  80000000: ([0-9a-f]{2} ){16}/"
    And the console shows "0x00000040+64: not RAM"
    And the console never shows "FAULT"
