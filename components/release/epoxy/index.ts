// OpenStack 2025.1 "epoxy" on Debian 13 (trixie): Debian's own packages (nova 31,
// keystone 27, neutron 26, glance 30, placement 13, cinder 26, horizon 25; RabbitMQ 4.0,
// MariaDB 11.8, Open vSwitch 3.5, libvirt 11, QEMU 10), written as a delta over zed: what
// is not named here is zed's. Every difference and how it was found: docs/deviations.md
// (epoxy-*) and docs/epoxy.md.
import { profile as zed } from "../zed";
import { ReleaseProfile, deriveProfile } from "../profile";

export const profile: ReleaseProfile = deriveProfile(zed, {
    name: "epoxy",
    base: {
        distribution: "Debian 13 (trixie)",
    },
});
