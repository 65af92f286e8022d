// Mocha root hooks for the real-service provider tests: print the per-operation
// timing table collected by the harness after the whole run.
import { timings, timingTable } from "./harness";

export const mochaHooks = {
    afterAll(): void {
        if (timings.length === 0) {
            return;
        }
        console.log(
            "\nProvider operation timings (through the serialization harness, real SSH):\n" + timingTable() + "\n",
        );
    },
};
