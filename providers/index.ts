// Re-exports of the dynamic providers and the SSH executor they share.
// The SSH executor and the providers owned here are re-exported whole; the
// OpenStack API providers export many helper names, so only their resource
// classes and argument types are re-exported (import helpers from their modules).
export * from "./ssh";
export * from "./mysqlDatabase";
export * from "./ovsBridge";
export { KeystoneEndpoint, type KeystoneEndpointArgs } from "./keystoneEndpoint";
export { QuantumNetwork, type QuantumNetworkArgs } from "./quantumNetwork";
