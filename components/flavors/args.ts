// Args of `oslab:compute:Flavors`: the flavors a user can boot right after `up`.
import * as pulumi from "@pulumi/pulumi";
import { FlavorSpec } from "../../config";
import { ClientEnv } from "../shared/client";
import { HostRef } from "../shared/step";
import { FlavorCli } from "./render";

export interface FlavorsArgs {
    /** The controller, where the compute API's CLI runs with the admin's credentials. */
    readonly host: HostRef;
    /** The flavors to manage (config key `flavors`; default: m1.nano, m1.tiny … m1.large). */
    readonly flavors: readonly FlavorSpec[];
    /** Which CLI manages flavors: `novaclient` (Folsom) or `openstack`. */
    readonly cli: FlavorCli;
    /** The admin's CLI environment without the password (Keystone's `clientEnv`). */
    readonly clientEnv: ClientEnv;
    /** The admin password, sent on stdin. */
    readonly adminPassword: pulumi.Input<string>;
    /**
     * The compute API answers (Nova's `apiReady`): flavors live in Nova's API database, so
     * they need no compute service and are made while the services still report in.
     */
    readonly apiReady: pulumi.Input<pulumi.Resource>;
}
