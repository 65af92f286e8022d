// openstack-lab — composition root. Reads and validates the stack config (config.ts:
// bad input stops the program before any resource exists), builds the cloud, and
// exports the stack outputs.
import { loadConfig } from "./config";
import { buildCloud } from "./components/cloud";

const outputs = buildCloud(loadConfig());

export const release = outputs.release;
export const controller = outputs.controller;
/** UUID of provider-router (Folsom: l3_agent.ini router_id). */
export const routerId = outputs.routerId;
/** UUID of ext_net (Folsom: l3_agent.ini gateway_external_network_id). */
export const externalNetworkId = outputs.externalNetworkId;
/** The router's address on ext_net (Folsom: the controller's route to the tenant network). */
export const gatewayIp = outputs.gatewayIp;
/** Keystone's public URL, as OS_AUTH_URL (Folsom: http://192.168.122.111:5000/v2.0/). */
export const keystoneUrl = outputs.keystoneUrl;
/** The dashboard (the article: http://192.168.122.111/horizon). */
export const horizonUrl = outputs.horizonUrl;
/** The admin's credentials file (Listing 3), secret: pulumi stack output --show-secrets openrc > openrc. */
export const openrc = outputs.openrc;
/** Password of Keystone user admin (the dashboard login), secret. */
export const adminPassword = outputs.adminPassword;
/** ID of the configured image in Glance. */
export const imageId = outputs.imageId;
/** Keystone region of every endpoint. */
export const region = outputs.region;
/** Flavors the program manages: name → ID (config key flavors). */
export const flavors = outputs.flavors;
/** Names of the compute nodes. */
export const computes = outputs.computes;
/** Service types in the Keystone catalog. */
export const services = outputs.services;
/** Whether cinder-volume runs (volumes can be created). */
export const volumeService = outputs.volumeService;
/** The demo user's credentials file (config key demo), secret: pulumi stack output --show-secrets demoOpenrc > demo-openrc. */
export const demoOpenrc = outputs.demoOpenrc;
/** The demo project's name (config key demo). */
export const demoProject = outputs.demoProject;
