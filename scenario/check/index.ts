/**
 * The check stage: expectations on a run, checked one way for the scenario
 * runner (a scenario's expect section, evaluateScenario) and for Cucumber's
 * Then steps (the functions below, asked of a finished ScenarioResult).
 * Each returns an ExpectationResult; assertMet turns a failed one into an
 * error whose message is the readable report with console context.
 */

export { type ExpectationResult, type Artifact, ExpectationFailed, assertMet, numberedLines } from './expectation';
export { type ConsoleRecord, checkConsole, linesRecord, consoleShows, consoleNeverShows, consoleCount, domainReports } from './console';
export { checkDump, hypervisorPanics, domainFaults } from './dump';
export { checkFramebuffer, checkPicture, displayShows, displayPicture } from './framebuffer';
export { checkEnd, endsWith } from './end';
export { registerValue, registerIs, registerIn, resolveAddress, memoryIs } from './machine-state';
export { checkCores, coreIsOnline, coreExecuted, coreRegisterIs } from './cores';
export { evaluateScenario, scenarioPasses, fired, faultFiredAt, receivedInput } from './run';
