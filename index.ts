// openstack-lab — composition root. Reads and validates the stack config (config.ts:
// bad input stops the program before any resource exists), builds the cloud, and
// exports the stack outputs.
import { loadConfig } from "./config";
import { buildCloud } from "./components/cloud";

const outputs = buildCloud(loadConfig());

export const release = outputs.release;
export const controller = outputs.controller;
