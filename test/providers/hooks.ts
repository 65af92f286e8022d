// Mocha root hooks for the real-service provider tests: name the test bed the run is
// against (run.sh runs the same specs against each bed), and print the per-operation
// timing table collected by the harness after the whole run.
import { timings, timingTable } from "./harness";
import { testbedSummary } from "./testbed";

export const mochaHooks = {
    beforeAll(): void {
        console.log(`Test bed: ${testbedSummary()}`);
    },
    afterAll(): void {
        if (timings.length === 0) {
            return;
        }
        console.log(
            `\nProvider operation timings on ${testbedSummary()} (through the serialization harness, real SSH):\n` +
                timingTable() +
                "\n",
        );
    },
};
