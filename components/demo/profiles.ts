// Release facts of the demo project (components/demo/oslab-demo.py's header says what each
// choice does).
export interface DemoProfile {
    /** The role that makes the user a member of the project (Folsom's data: Member; bootstrap's: member). */
    readonly memberRole: string;
    /**
     * How the project reaches the admin's tenant network: `rbac` (an access_as_shared RBAC
     * policy for the project; Neutron since Liberty) or `shared` (the network's shared flag,
     * every tenant: Quantum v2.0 has no RBAC).
     */
    readonly networkAccess: "rbac" | "shared";
    /** Whose security groups servers get: `neutron` (the network API) or `nova` (Folsom: Nova's own). */
    readonly securityGroups: "neutron" | "nova";
}
