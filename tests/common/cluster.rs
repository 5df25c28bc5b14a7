//! Several intake nodes (the real binary, `enroll-kit intake serve`) on one PostgreSQL, behind
//! nginx (Debian's package) on 127.0.0.1, as a central office would run them. Each process is
//! killed when its handle drops. Used by tests/intake.rs and the load benchmark.
#![allow(dead_code)]

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// One intake node.
pub struct Node {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Node {
    /// Starts `binary intake serve` on `postgres` with the test keys in `keys`; returns once it
    /// listens (it prints its address first).
    pub fn spawn(mut binary: Command, keys: &Path, postgres: &str, extra: &[&str]) -> Node {
        binary
            .args(["intake", "serve", "--listen", "127.0.0.1:0", "--postgres", postgres])
            .arg("--cert")
            .arg(keys.join("test-intake.crt"))
            .arg("--key")
            .arg(keys.join("test-intake.key"))
            .arg("--identity")
            .arg(keys.join("test-hq.age"))
            .arg("--signing-key")
            .arg(keys.join("test-hq.ed25519"))
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = binary.spawn().expect("start an intake node");
        let stdout = child.stdout.take().expect("its stdout");
        let mut first = String::new();
        std::io::BufReader::new(stdout).read_line(&mut first).expect("its first line");
        let addr = first
            .split_whitespace()
            .find_map(|w| w.strip_prefix("https://"))
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!("the node did not say where it listens: {first:?}")
            });
        Node { child, addr }
    }

    /// SIGKILL: the node dies where it stands.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Its process id (the benchmark reads its memory).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// nginx in front of the nodes: it ends TLS with the intake's certificate (the one kits pin) and
/// passes each request to a node over TLS, to the next node when one is down.
pub struct Nginx {
    child: Child,
    /// Where kits connect.
    pub addr: SocketAddr,
    _dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

impl Nginx {
    /// nginx on a free port of 127.0.0.1 in front of `nodes`.
    pub fn start(keys: &Path, nodes: &[SocketAddr]) -> Nginx {
        let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"].into_iter().map(PathBuf::from).find(|p| p.exists());
        let nginx = nginx.expect("nginx is not installed (Debian package: nginx; scripts/test installs it)");
        for _attempt in 0..5 {
            let dir = tempfile::tempdir().expect("a dir for nginx");
            // Its workers may run as another user than the master (as root: nobody).
            for sub in ["body", "proxy", "fastcgi", "uwsgi", "scgi"] {
                let p = dir.path().join(sub);
                std::fs::create_dir_all(&p).expect("nginx temp dir");
                let _ = std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o777));
            }
            let port = free_port();
            let upstreams: String =
                nodes.iter().map(|a| format!("        server {a} max_fails=1 fail_timeout=5s;\n")).collect();
            let d = dir.path().display();
            let (cert, key) = (keys.join("test-intake.crt"), keys.join("test-intake.key"));
            let conf = format!(
                "daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
                 events {{ worker_connections 1024; }}\n\
                 http {{\n    access_log off;\n    client_max_body_size 20m;\n\
                 \x20   client_body_temp_path {d}/body;\n    proxy_temp_path {d}/proxy;\n\
                 \x20   fastcgi_temp_path {d}/fastcgi;\n    uwsgi_temp_path {d}/uwsgi;\n    scgi_temp_path {d}/scgi;\n\
                 \x20   upstream intake {{\n{upstreams}        keepalive 16;\n    }}\n\
                 \x20   server {{\n        listen 127.0.0.1:{port} ssl;\n\
                 \x20       ssl_certificate {cert};\n        ssl_certificate_key {key};\n\
                 \x20       location / {{\n            proxy_pass https://intake;\n\
                 \x20           proxy_http_version 1.1;\n            proxy_set_header Connection \"\";\n\
                 \x20           proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate {cert};\n\
                 \x20           proxy_ssl_name localhost;\n            proxy_ssl_session_reuse on;\n\
                 \x20           proxy_next_upstream error timeout http_502 http_503 non_idempotent;\n\
                 \x20           proxy_read_timeout 60s;\n        }}\n    }}\n}}\n",
                cert = cert.display(),
                key = key.display(),
            );
            let conf_path = dir.path().join("nginx.conf");
            std::fs::write(&conf_path, conf).expect("nginx.conf");
            let mut child = Command::new(&nginx)
                .arg("-p")
                .arg(dir.path())
                .arg("-c")
                .arg(&conf_path)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start nginx");
            let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
            // Ready when it accepts; gone if it could not bind (another process took the port).
            loop {
                if std::net::TcpStream::connect(addr).is_ok() {
                    return Nginx { child, addr, _dir: dir };
                }
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            let log = std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default();
            eprintln!("nginx did not start on port {port}, trying another: {log}");
        }
        panic!("nginx did not start");
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
