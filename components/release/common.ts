// Values every registered release shares so far: the Ubuntu 12.04 Cloud Archive packages
// (folsom, docs/sources.md#folsom) and Debian's own (zed and epoxy, docs/sources.md#zed)
// name these the same. A release whose packaging differs writes its own value instead.

/** Nova's main config file. */
export const NOVA_CONF = "/etc/nova/nova.conf";

/** Cinder's packages, services, daemons, API port and schema command. */
export const CINDER_PACKAGING = {
    packages: { api: ["cinder-api", "cinder-scheduler", "cinder-common"], volume: ["cinder-volume", "tgt", "lvm2"] },
    services: { api: ["cinder-api", "cinder-scheduler"], volume: ["cinder-volume"] },
    volumeDaemons: ["tgt"],
    port: 8776,
    dbSync: "cinder-manage db sync",
} as const;
