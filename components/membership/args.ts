// The contract of the ComputeMembership component (components/cloud.ts fills it).
import * as pulumi from "@pulumi/pulumi";
import { HostRef } from "../shared/step";
import { ClientEnv } from "../shared/client";

export interface ComputeMembershipArgs {
    /** The compute node; the step runs on it (the admin's API calls go to the controller). */
    readonly host: HostRef;
    /** The admin's API login without the password (Keystone's `clientEnv`). */
    readonly clientEnv: ClientEnv;
    /** The admin password, sent on stdin. */
    readonly adminPassword: pulumi.Input<string>;
    /** Services of the node stopped before it is deregistered (nova-compute, the L2 agent). */
    readonly services: readonly string[];
    /** Every step of the node: the membership is made after them and removed before them. */
    readonly after: readonly pulumi.Input<pulumi.Resource>[];
}
