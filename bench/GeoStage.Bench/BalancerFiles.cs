using System.Globalization;

namespace GeoStage.Bench;

/// <summary>
/// What the balancer benchmark deploys and starts, as files in its work directory: the seed under the
/// run's name, nginx as workload 'web' on the nodes of site A (each serving its own node name), the
/// GeoStage balancer of examples/lb.yaml in front of it, and the HAProxy and keepalived references.
/// </summary>
internal static class BalancerFiles
{
    public const string Vip = "192.168.10.200";
    public const string KeepalivedVip = "192.168.10.201";
    public const string HaproxyNode = "master03";
    public const string HaproxyAddress = "192.168.10.103";
    public const int HaproxyPort = 8080;

    /// <summary>The file the bulk load fetches, <see cref="BulkBytes"/> of random bytes on every backend.</summary>
    public const string BulkFile = "bulk.bin";
    public const int BulkBytes = 16 * 1024 * 1024;

    /// <summary>The nodes of site A in the seed, which run 'web'.</summary>
    public static readonly (string Node, string Address)[] Backends =
        [("lb", "192.168.10.253"), ("master01", "192.168.10.101"), ("master02", "192.168.10.102"), ("master03", "192.168.10.103")];

    public static string Seed(string repo, string env) =>
        File.ReadAllText(Path.Combine(repo, "examples", "seed.yaml")).Replace("name: seed", $"name: {env}", StringComparison.Ordinal);

    /// <summary>One nginx prefix per node (html/index.html holds the node's name, so a probe sees who answered) and one shared config.</summary>
    public static string Web(string dir)
    {
        var bulk = new byte[BulkBytes];
        new Random(1).NextBytes(bulk);
        foreach (var (node, _) in Backends)
        {
            Directory.CreateDirectory(Path.Combine(dir, node, "html"));
            File.WriteAllBytes(Path.Combine(dir, node, "html", BulkFile), bulk);
            Directory.CreateDirectory(Path.Combine(dir, node, "html"));
            Directory.CreateDirectory(Path.Combine(dir, node, "logs"));
            File.WriteAllText(Path.Combine(dir, node, "html", "index.html"), node + "\n");
        }

        // Root workers: the work directory is private to root (0700).
        File.WriteAllText(Path.Combine(dir, "nginx.conf"), """
            user root;
            worker_processes 1;
            pid nginx.pid;
            error_log logs/error.log;
            events { worker_connections 4096; }
            http {
                access_log off;
                keepalive_requests 100000;
                server { listen 7000; root html; location / { } }
            }

            """);
        return string.Create(CultureInfo.InvariantCulture, $$$"""
            workloads:
              - name: web
                version: "1"
                command: /usr/sbin/nginx
                args: ["-p", "{{{dir}}}/{{node.name}}/", "-c", "{{{dir}}}/nginx.conf", "-g", "daemon off;"]
                placement: { sites: [a] }
                health:
                  http: "http://{{node.address}}:7000/"
                  interval: 300ms
                rollout:
                  maxUnavailable: 4
                ports: [7000]

            """);
    }

    /// <summary>examples/lb.yaml with 'web' as the backend.</summary>
    public static string Front(string repo) =>
        File.ReadAllText(Path.Combine(repo, "examples", "lb.yaml")).Replace("backend: chain", "backend: web", StringComparison.Ordinal);

    /// <summary>HAProxy in TCP mode, round robin over the same backends, no health checks (none fail here).</summary>
    public static string Haproxy() =>
        $"""
        global
            maxconn 4096
        defaults
            mode tcp
            timeout connect 2s
            timeout client 30s
            timeout server 30s
        frontend front
            bind {HaproxyAddress}:{HaproxyPort}
            default_backend web
        backend web
            balance roundrobin
        {string.Join('\n', Backends.Select(b => $"    server {b.Node} {b.Address}:7000"))}

        """;

    /// <summary>
    /// keepalived for one of master01/master02, unicast peers. Below 1 s an advert needs VRRP version 3
    /// (centiseconds); version 2, keepalived's default, is kept for advert_int 1.
    /// </summary>
    public static string Keepalived(string self, string selfAddress, string peerAddress, int priority, double advertInt) =>
        string.Create(CultureInfo.InvariantCulture, $$"""
            global_defs {
                router_id {{self}}
                {{(advertInt < 1 ? "vrrp_version 3" : "")}}
            }
            vrrp_instance bench {
                state BACKUP
                interface eth0
                virtual_router_id 51
                priority {{priority}}
                advert_int {{advertInt}}
                unicast_src_ip {{selfAddress}}
                unicast_peer {
                    {{peerAddress}}
                }
                virtual_ipaddress {
                    {{KeepalivedVip}}/24 dev eth0
                }
            }

            """);
}
