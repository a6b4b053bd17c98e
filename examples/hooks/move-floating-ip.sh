#!/bin/sh
# A balancer's onLeader hook that moves a cloud IP to the machine whose replica just became leader, for
# real machines where the VIP's gratuitous ARP does not move the address (docs/balancers.md, "Hooks").
#
#   onLeader: ["/usr/local/bin/move-floating-ip.sh", "hetzner"]     # or "aws"
#
# GeoStage appends VIP, node and term, so this runs as
#   move-floating-ip.sh PROVIDER VIP NODE TERM
# with GEOSTAGE_VIP, GEOSTAGE_NODE, GEOSTAGE_TERM, GEOSTAGE_ROLE (leader|follower) and GEOSTAGE_BALANCER
# set too. It exits 0 and does nothing when given a follower's call or a term older than the highest seen.
#
# Hooks inherit the replica's environment, not yours: settings and credentials come from $CONF
# (default /etc/geostage/move-floating-ip.conf, shell syntax), for example
#   FLOATING_IP=lb-front          # hetzner: the floating IP's name or ID
#   HCLOUD_TOKEN=...              # hetzner: an API token of the project (read+write)
#   ENI=eni-0123456789abcdef0     # aws: this machine's network interface (on each machine its own)
#   AWS_DEFAULT_REGION=eu-central-1
# (on AWS, give the instance a role allowing ec2:AssignPrivateIpAddresses rather than keys).
set -eu

if [ $# -ne 4 ]; then
    echo "usage: $0 hetzner|aws VIP NODE TERM (GeoStage appends VIP, node and term)" >&2
    exit 2
fi

provider=$1 vip=$2 node=$3 term=$4
conf=${CONF:-/etc/geostage/move-floating-ip.conf}
state_dir=${STATE_DIR:-/var/lib/geostage-hooks}
if [ -r "$conf" ]; then
    # shellcheck disable=SC1090
    . "$conf"
fi

case $provider in
    hetzner) : "${FLOATING_IP:?set FLOATING_IP in $conf}" ;;
    aws) : "${ENI:?set ENI in $conf}" ;;
    *) echo "unknown provider '$provider': hetzner or aws" >&2; exit 2 ;;
esac

# Only a new leader moves the IP; reassigning takes it from the old holder, which need do nothing.
if [ "${GEOSTAGE_ROLE:-leader}" != leader ]; then
    exit 0
fi

# Ignore a stale term. One replica's hooks never overlap and come in term order, but another replica's
# may land late (a slow CLI call, a retry), and an older leader must not take the IP back. The highest
# term seen is kept in a file, under a lock: this protects every call that shares the file (replicas on
# one machine or a shared filesystem). Across separate machines keep the term on the cloud resource
# itself for the same check (a Hetzner label, an AWS tag) before moving the IP.
mkdir -p "$state_dir"
state="$state_dir/${GEOSTAGE_BALANCER:-balancer}.term"
exec 9>>"$state.lock"
flock -w 10 9
highest=$(cat "$state" 2>/dev/null || echo 0)
if [ "$term" -lt "$highest" ]; then
    echo "term $term is older than term $highest: not moving $vip to $node"
    exit 0
fi
echo "$term" > "$state.new"
mv "$state.new" "$state"

case $provider in
    hetzner)
        # Hetzner Cloud: route the floating IP to this server (the node's name unless SERVER says
        # otherwise). Hetzner only routes it: the server must also carry the address on an interface.
        hcloud floating-ip assign "$FLOATING_IP" "${SERVER:-$node}"
        ;;
    aws)
        # AWS EC2: make the VIP a secondary private IP of this machine's interface; --allow-reassignment
        # takes it from whichever interface in the subnet holds it now.
        aws ec2 assign-private-ip-addresses \
            --network-interface-id "$ENI" \
            --private-ip-addresses "$vip" \
            --allow-reassignment
        ;;
esac

echo "moved $vip to $node (term $term)"
