#!/usr/bin/env bash
# The network lab: an "internet" (a bridge in the root namespace, 203.0.113.0/24, TEST-NET-3), edges and homes in
# network namespaces of their own. A home is a NAT router namespace with a LAN bridge and one namespace per player
# device on it, or a public player directly on the internet. Needs root (or CAP_NET_ADMIN + CAP_SYS_ADMIN),
# iproute2 and iptables. Everything it makes is named p2pl-*, and `down` removes all of it.
#
#   lab/lab.sh check                          exit 0 when namespaces, veths, bridges, NAT and tbf work here
#   lab/lab.sh up                             the internet bridge; the root namespace is 203.0.113.1 on it
#   lab/lab.sh edge NAME OCTET                an edge namespace p2pl-NAME at 203.0.113.OCTET
#   lab/lab.sh home N KIND [DEVICES] [UP_KBIT] [LOSS_PERCENT]
#        KIND: cone (Linux MASQUERADE: endpoint-independent mapping, port-restricted filtering), symmetric
#        (MASQUERADE --random-fully: a new mapping per destination), public (no NAT: each device on the
#        internet at 203.0.113.(100+N*4+D)), udpblocked (cone that drops all UDP to and from the internet).
#        Router p2pl-rN at 203.0.113.(100+N*4), LAN 192.168.N.0/24 (router .1, device D at .(10+D));
#        devices p2pl-hN-D, D = 1..DEVICES (default 1). UP_KBIT caps the home's upload (tbf on the router's
#        internet side; 0: no cap), LOSS_PERCENT drops that share of forwarded packets both ways (iptables
#        statistic; 0: none).
#   lab/lab.sh downcap N D KBIT [QUEUE_MS]    caps what device D of home N downloads (tbf on its router's LAN port;
#                                             KBIT 0 lifts the cap); may be changed while it plays. QUEUE_MS: how
#                                             long its queue is before it drops (default 200, an ISP shaper's; a
#                                             home router's can be a few tens of ms, with a 4 kB bucket)
#   lab/lab.sh drops N D                      prints how many packets that cap has dropped
#   lab/lab.sh isolate N                      home N's devices cannot reach each other (Wi-Fi client isolation)
#   lab/lab.sh allowudp N                     a udpblocked home N lets UDP through from now on
#   lab/lab.sh cut NAME... -- NAME...         drop all traffic between the two groups of namespaces (split brain)
#   lab/lab.sh heal                           undo every cut
#   lab/lab.sh down                           remove every p2pl-* namespace and the bridge
set -euo pipefail

BRIDGE=p2pl-inet
NET=203.0.113

ns() { ip netns exec "$1" "${@:2}"; }

# A veth pair: $1 in namespace $2 (or the root namespace when $2 is "-"), $3 in namespace $4. Made under
# temporary names in the root namespace (where "eth0" may exist) and renamed where each end lands.
veth() {
  local a="p2pl-t$RANDOM" b="p2pl-t$RANDOM"
  ip link add "$a" type veth peer name "$b"
  end "$a" "$1" "$2"
  end "$b" "$3" "$4"
}

end() {
  if [[ $3 == - ]]; then
    ip link set "$1" name "$2"
  else
    ip link set "$1" netns "$3"
    ns "$3" ip link set "$1" name "$2"
  fi
}

newns() {
  ip netns add "$1"
  ns "$1" ip link set lo up
}

# Attaches namespace $1 to the internet bridge at $NET.$2, through a veth named $3 there.
on_internet() {
  local peer="p2pl-i${RANDOM}"
  veth "$3" "$1" "$peer" -
  ip link set "$peer" master "$BRIDGE" up
  ns "$1" ip addr add "$NET.$2/24" dev "$3"
  ns "$1" ip link set "$3" up
}

case "${1:-}" in
  check)
    trap 'ip netns del p2pl-check 2>/dev/null || true' EXIT
    newns p2pl-check
    ns p2pl-check ip link add p2pl-cb type bridge
    ns p2pl-check ip link add p2pl-ca type veth peer name p2pl-cc
    ns p2pl-check iptables -t nat -A POSTROUTING -o p2pl-ca -j MASQUERADE --random-fully
    ns p2pl-check iptables -A FORWARD -m statistic --mode random --probability 0.5 -j DROP
    ns p2pl-check tc qdisc add dev p2pl-ca root tbf rate 1mbit burst 16kb latency 200ms
    ;;
  up)
    ip link add "$BRIDGE" type bridge
    ip addr add "$NET.1/24" dev "$BRIDGE"
    ip link set "$BRIDGE" up
    # The bridge forwards between namespaces even where the root namespace filters bridged traffic.
    sysctl -qw net.bridge.bridge-nf-call-iptables=0 2>/dev/null || true
    ;;
  edge)
    newns "p2pl-$2"
    on_internet "p2pl-$2" "$3" wan
    ;;
  home)
    n=$2 kind=$3 devices=${4:-1} up_kbit=${5:-0} loss=${6:-0}
    if [[ $kind == public ]]; then
      for d in $(seq 1 "$devices"); do
        newns "p2pl-h$n-$d"
        on_internet "p2pl-h$n-$d" $((100 + n * 4 + d)) wan
      done
      exit 0
    fi
    r="p2pl-r$n"
    newns "$r"
    on_internet "$r" $((100 + n * 4)) wan
    ns "$r" ip link add lan type bridge
    ns "$r" ip addr add "192.168.$n.1/24" dev lan
    ns "$r" ip link set lan up
    ns "$r" sysctl -qw net.ipv4.ip_forward=1
    for d in $(seq 1 "$devices"); do
      h="p2pl-h$n-$d"
      newns "$h"
      veth "l$d" "$r" eth0 "$h"
      ns "$r" ip link set "l$d" master lan up
      ns "$h" ip addr add "192.168.$n.$((10 + d))/24" dev eth0
      ns "$h" ip link set eth0 up
      ns "$h" ip route add default via "192.168.$n.1"
    done
    case $kind in
      cone|udpblocked) ns "$r" iptables -t nat -A POSTROUTING -o wan -j MASQUERADE ;;
      symmetric) ns "$r" iptables -t nat -A POSTROUTING -o wan -j MASQUERADE --random-fully ;;
      *) echo "unknown home kind: $kind (cone, symmetric, public, udpblocked)" >&2; exit 2 ;;
    esac
    if [[ $loss != 0 ]]; then
      ns "$r" iptables -A FORWARD -m statistic --mode random --probability "$(awk "BEGIN{print $loss/100}")" -j DROP
    fi
    if [[ $kind == udpblocked ]]; then
      ns "$r" iptables -A FORWARD -p udp -j DROP
    fi
    # A home router's firewall: nothing from the internet that is not a reply. (Without it, a peer's first check
    # reaching the router before the player's own packet went out is answered by the router itself, and the
    # conntrack entry that makes pins the player's later packets to its private address: no hole punching.)
    for chain in INPUT FORWARD; do
      ns "$r" iptables -A "$chain" -i wan -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
      ns "$r" iptables -A "$chain" -i wan -j DROP
    done
    if [[ $up_kbit != 0 ]]; then
      ns "$r" tc qdisc add dev wan root tbf rate "${up_kbit}kbit" burst 32kb latency 300ms
    fi
    ;;
  downcap)
    n=$2 d=$3 kbit=$4 queue_ms=${5:-200}
    if [[ $kbit == 0 ]]; then
      ns "p2pl-r$n" tc qdisc del dev "l$d" root 2>/dev/null || true
    elif [[ $queue_ms == 200 ]]; then
      # A home line's downstream: the ISP's shaper queues up to 200 ms, then drops.
      ns "p2pl-r$n" tc qdisc replace dev "l$d" root tbf rate "${kbit}kbit" burst 16kb latency 200ms
    else
      ns "p2pl-r$n" tc qdisc replace dev "l$d" root tbf rate "${kbit}kbit" burst 4kb latency "${queue_ms}ms"
    fi
    ;;
  drops)
    n=$2 d=$3
    ns "p2pl-r$n" tc -s qdisc show dev "l$d" | grep -o 'dropped [0-9]*' | head -1 | grep -o '[0-9]*'
    ;;
  isolate)
    n=$2
    for port in $(ns "p2pl-r$n" ip -o link show master lan | awk -F': ' '{print $2}' | cut -d@ -f1); do
      ns "p2pl-r$n" bridge link set dev "$port" isolated on
    done
    ;;
  allowudp)
    ns "p2pl-r$2" iptables -D FORWARD -p udp -j DROP
    ;;
  cut)
    shift
    left=() right=() side=left
    for a in "$@"; do
      if [[ $a == -- ]]; then side=right; continue; fi
      if [[ $side == left ]]; then left+=("$a"); else right+=("$a"); fi
    done
    for l in "${left[@]}"; do
      for r in "${right[@]}"; do
        lip=$(ns "p2pl-$l" ip -4 -o addr show dev wan | awk '{print $4}' | cut -d/ -f1)
        rip=$(ns "p2pl-$r" ip -4 -o addr show dev wan | awk '{print $4}' | cut -d/ -f1)
        ns "p2pl-$l" iptables -A INPUT -s "$rip" -j DROP -m comment --comment p2pl-cut
        ns "p2pl-$l" iptables -A OUTPUT -d "$rip" -j DROP -m comment --comment p2pl-cut
        ns "p2pl-$r" iptables -A INPUT -s "$lip" -j DROP -m comment --comment p2pl-cut
        ns "p2pl-$r" iptables -A OUTPUT -d "$lip" -j DROP -m comment --comment p2pl-cut
      done
    done
    ;;
  heal)
    for n in $(ip netns list | awk '{print $1}' | grep '^p2pl-' || true); do
      ns "$n" iptables -S 2>/dev/null | grep -- '--comment p2pl-cut' | sed 's/^-A/-D/' | while read -r rule; do
        eval ns "$n" iptables "$rule"
      done
    done
    ;;
  down)
    for n in $(ip netns list | awk '{print $1}' | grep '^p2pl-' || true); do
      ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
      ip netns del "$n"
    done
    ip link del "$BRIDGE" 2>/dev/null || true
    ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | cut -c3-
    exit 2
    ;;
esac
