# The example feature `bringup init` wrote: your hypervisor boots on the
# simulated Motorola Xoom (tegra2-xoom) and prints on its console.
# Steps: bringup's step library and your own in steps/; list them all with
#   npx bringup test --dry-run --format usage --no-reports
# (node_modules/bringup/docs/project.md explains this project's layout).
Feature: __NAME__ boots on the simulated Xoom

  Scenario: the console shows what the scenario expects
    Given the scenario "example.yaml"
    When it runs
    Then the scenario passes
    And the console printed at least 1 line
