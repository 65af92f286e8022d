#!/usr/bin/env bash
# extract.sh MIRRORS — rebuild zed.tsv and epoxy.tsv: for each OpenStack config file the
# program writes, the oslo.config namespaces its service's upstream generator config lists
# at the release tag (what `oslo-config-validator` checks the file against on the hosts).
# MIRRORS holds clones of github.com/openstack/<project> as MIRRORS/openstack+<project>/repo
# (the search tool's `fetch`). Output: "path<TAB>ns,ns,…" per file, sources in comments.
set -euo pipefail
M=${1:?usage: extract.sh MIRRORS}
cd "$(dirname "$0")"
# release project tag generator-file host-path
files() {
  cat <<'T'
nova 26.0.0 31.0.0 etc/nova/nova-config-generator.conf /etc/nova/nova.conf
keystone 22.0.0 27.0.0 config-generator/keystone.conf /etc/keystone/keystone.conf
glance 25.0.0 30.0.0 etc/oslo-config-generator/glance-api.conf /etc/glance/glance-api.conf
placement 8.0.0 13.0.0 etc/placement/config-generator.conf /etc/placement/placement.conf
cinder 21.0.0 26.0.0 tools/config/cinder-config-generator.conf /etc/cinder/cinder.conf
neutron 21.0.0 26.0.0 etc/oslo-config-generator/neutron.conf /etc/neutron/neutron.conf
neutron 21.0.0 26.0.0 etc/oslo-config-generator/ml2_conf.ini /etc/neutron/plugins/ml2/ml2_conf.ini
neutron 21.0.0 26.0.0 etc/oslo-config-generator/openvswitch_agent.ini /etc/neutron/plugins/ml2/openvswitch_agent.ini
neutron 21.0.0 26.0.0 etc/oslo-config-generator/l3_agent.ini /etc/neutron/l3_agent.ini
neutron 21.0.0 26.0.0 etc/oslo-config-generator/dhcp_agent.ini /etc/neutron/dhcp_agent.ini
neutron 21.0.0 26.0.0 etc/oslo-config-generator/metadata_agent.ini /etc/neutron/metadata_agent.ini
T
}
for release in zed epoxy; do
  {
    echo "# Written by test/e2e/config-check/extract.sh: oslo.config namespaces per file for $release,"
    echo "# from each project's generator config at the release tag (github.com/openstack/<project>)."
    files | while read -r project zed epoxy gen path; do
      tag=$zed; [ "$release" = epoxy ] && tag=$epoxy
      ns=$(git -C "$M/openstack+$project/repo" show "$tag:$gen" | sed -nE 's/^namespace *= *([^ ]+) *$/\1/p' | paste -sd, -)
      echo "# $project $tag:$gen"
      printf '%s\t%s\n' "$path" "$ns"
    done
  } > "$release.tsv"
done
