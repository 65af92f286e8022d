// OpenStack 2025.1 "epoxy" on Debian 13 (trixie): Debian's own packages (nova 31,
// keystone 27, neutron 26, glance 30, placement 13, cinder 26, horizon 25; RabbitMQ 4.0,
// MariaDB 11.8, Open vSwitch 3.5, libvirt 11, QEMU 10), written as a delta over zed: what
// is not named here is zed's. Each difference, and how the lab found it, is in
// docs/deviations.md (epoxy-1 …).
import { mergeIni } from "../../shared/ini";
import * as horizon from "../../horizon/render";
import * as nova from "../../nova/render";
import { ReleaseProfile, deriveProfile } from "../profile";
import { profile as zed } from "../zed";

export const profile: ReleaseProfile = deriveProfile(zed, {
    name: "epoxy",
    base: {
        distribution: "Debian 13 (trixie)",
        rabbitmq: {
            // epoxy-1: RabbitMQ 4.0's `rabbitmqctl -q add_user|change_password USER` never
            // returns when the password comes on stdin; without -q it reads it and ends.
            setPassword: `if rabbitmqctl -q list_users | awk '{print $1}' | grep -qx "$user"; then
  rabbitmqctl change_password "$user" < "$pwfile" >/dev/null
else
  rabbitmqctl add_user "$user" < "$pwfile" >/dev/null
fi
rabbitmqctl -q set_permissions "$user" '.*' '.*' '.*' >/dev/null`,
        },
        mysql: {
            // epoxy-10: MariaDB 11.8 turns innodb_snapshot_isolation on by default (since
            // 11.6.2, MariaDB's MDEV-35124); nova's and neutron's REPEATABLE-READ
            // transactions then fail with error 1020 "Record has changed since last read"
            // (nova bug 2116186). Off, as on zed's MariaDB 10.11.
            config: (bindAddress) =>
                mergeIni(zed.base.mysql.config(bindAddress), { mysqld: { innodb_snapshot_isolation: "off" } }),
        },
    },
    keystone: {
        data: {
            // epoxy-12: Neutron 26 enforces its new policy defaults, under which port
            // bindings (live migration) are for the `service` role only; service users get
            // it besides admin, as DevStack and Kolla-Ansible give it.
            roles: ["admin", "member", "reader", "service"],
            serviceRoles: ["admin", "service"],
        },
        // epoxy-2: Debian 13's keystone uwsgi starts with its AppArmor plugin where no
        // AppArmor profile is loaded (the lab); zed's fix for that is not needed.
        hostFixes: () => [],
    },
    horizon: {
        // epoxy-8: Django 4.2 has no MemcachedCache (removed in 4.1); epoxy-9: Horizon in
        // mod_wsgi's main interpreter, else every request failed importing cryptography.
        cacheBackend: horizon.PYMEMCACHE_CACHE,
        webServerConf: {
            path: "/etc/apache2/conf-enabled/openstack-lab-horizon.conf",
            content: horizon.wsgiGlobalGroupConf(),
        },
    },
    cinder: {
        conf: {
            // epoxy-11: Debian 13's packaged cinder.conf still sets [lvm] iscsi_protocol and
            // iscsi_helper, names cinder 26 no longer knows (target_protocol and target_helper
            // lost those deprecated names): the program writes [lvm] whole.
            replaceSections: ["lvm"],
        },
    },
    nova: {
        conf: {
            // epoxy-3: nova 31 deprecates [api] auth_strategy (Keystone is the only one) and
            // [glance] api_servers (the catalog names Glance) for removal; it logs both.
            render: (v) => mergeIni(nova.novaConf(v), { api: { auth_strategy: null }, glance: { api_servers: null } }),
        },
    },
});
