//! Fixed-rate HTTP/1.1 load driver (the "wrk2 -R" of bench/run), std only.
//!
//! Replays pre-generated raw HTTP requests (a file of records `<byte length>\n<bytes>`,
//! written by bench/gen.py) against one address at a constant arrival rate. Request
//! `i` is due at `start + i / rate`; a pool of keep-alive connections takes them in
//! order, and each latency is measured from the request's *due* time, not from when a
//! connection got round to sending it, so a stalled server shows up in the percentiles
//! (no coordinated omission). When every connection is busy the due requests wait and
//! that wait counts.
//!
//! Usage:
//!   driver --addr 127.0.0.1:18081 --requests reqs.bin --rate 500 --duration 15 \
//!          [--connections 64] [--timeout 10] [--json out.json] [--bodies bodies.txt]
//!
//! Prints one JSON object (also written to --json): requests sent, status counts,
//! transport errors, achieved rate, latency percentiles in milliseconds.
//! --bodies writes every response body, one per line, in request order (small runs).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Args {
    addr: SocketAddr,
    requests: String,
    rate: f64,
    duration: f64,
    connections: usize,
    timeout: f64,
    json: Option<String>,
    bodies: Option<String>,
}

fn parse_args() -> Args {
    let mut it = std::env::args().skip(1);
    let mut addr = None;
    let mut requests = None;
    let mut rate = None;
    let mut duration = None;
    let mut connections = 64;
    let mut timeout = 10.0;
    let mut json = None;
    let mut bodies = None;
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .unwrap_or_else(|| die(&format!("{flag} needs a value")))
        };
        match flag.as_str() {
            "--addr" => addr = Some(value().parse().unwrap_or_else(|_| die("bad --addr"))),
            "--requests" => requests = Some(value()),
            "--rate" => rate = Some(value().parse().unwrap_or_else(|_| die("bad --rate"))),
            "--duration" => {
                duration = Some(value().parse().unwrap_or_else(|_| die("bad --duration")))
            }
            "--connections" => {
                connections = value().parse().unwrap_or_else(|_| die("bad --connections"))
            }
            "--timeout" => timeout = value().parse().unwrap_or_else(|_| die("bad --timeout")),
            "--json" => json = Some(value()),
            "--bodies" => bodies = Some(value()),
            other => die(&format!("unknown argument {other}")),
        }
    }
    Args {
        addr: addr.unwrap_or_else(|| die("--addr is required")),
        requests: requests.unwrap_or_else(|| die("--requests is required")),
        rate: rate.unwrap_or_else(|| die("--rate is required")),
        duration: duration.unwrap_or_else(|| die("--duration is required")),
        connections,
        timeout,
        json,
        bodies,
    }
}

fn die(msg: &str) -> ! {
    eprintln!("driver: {msg}");
    std::process::exit(2);
}

fn load_requests(path: &str) -> Vec<Vec<u8>> {
    let data = std::fs::read(path).unwrap_or_else(|e| die(&format!("reading {path}: {e}")));
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let nl = data[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or_else(|| die("truncated request file"));
        let len: usize = std::str::from_utf8(&data[pos..pos + nl])
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or_else(|| die("bad record length in request file"));
        let start = pos + nl + 1;
        if start + len > data.len() {
            die("truncated request record");
        }
        out.push(data[start..start + len].to_vec());
        pos = start + len;
    }
    if out.is_empty() {
        die("no requests in file");
    }
    out
}

/// One keep-alive connection.
struct Conn {
    reader: BufReader<TcpStream>,
}

impl Conn {
    fn open(addr: SocketAddr, timeout: Duration) -> std::io::Result<Conn> {
        let stream = TcpStream::connect_timeout(&addr, timeout)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        Ok(Conn {
            reader: BufReader::with_capacity(64 * 1024, stream),
        })
    }

    /// Sends one request and reads the whole response: (status, body, keep-alive).
    fn exchange(&mut self, request: &[u8]) -> std::io::Result<(u16, Vec<u8>, bool)> {
        self.reader.get_mut().write_all(request)?;
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "connection closed",
            ));
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut content_length: Option<usize> = None;
        let mut chunked = false;
        let mut keep_alive = true;
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(std::io::Error::other("eof in headers"));
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let name = name.trim().to_ascii_lowercase();
                let value = value.trim();
                match name.as_str() {
                    "content-length" => content_length = value.parse().ok(),
                    "transfer-encoding" => {
                        chunked = value.to_ascii_lowercase().contains("chunked")
                    }
                    "connection" => keep_alive = !value.eq_ignore_ascii_case("close"),
                    _ => {}
                }
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.reader.read_line(&mut line)?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                    .map_err(|_| std::io::Error::other("bad chunk size"))?;
                if size == 0 {
                    // trailers until the empty line
                    loop {
                        line.clear();
                        self.reader.read_line(&mut line)?;
                        if line.trim_end().is_empty() {
                            break;
                        }
                    }
                    break;
                }
                let start = body.len();
                body.resize(start + size, 0);
                self.reader.read_exact(&mut body[start..])?;
                let mut crlf = [0u8; 2];
                self.reader.read_exact(&mut crlf)?;
            }
        } else if let Some(len) = content_length {
            body.resize(len, 0);
            self.reader.read_exact(&mut body)?;
        } else if status != 204 && status != 304 {
            // no length: body runs to the end of the connection
            self.reader.read_to_end(&mut body)?;
            keep_alive = false;
        }
        Ok((status, body, keep_alive))
    }
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    statuses: BTreeMap<u16, u64>,
    errors: u64,
    bodies: Vec<(usize, Vec<u8>)>,
}

fn main() {
    let args = parse_args();
    let requests = Arc::new(load_requests(&args.requests));
    let total = (args.rate * args.duration).round() as usize;
    if args.bodies.is_some() && total > requests.len() {
        die("--bodies needs at least rate*duration requests in the file");
    }
    let interval_ns = 1e9 / args.rate;
    let timeout = Duration::from_secs_f64(args.timeout);
    let next = Arc::new(AtomicUsize::new(0));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let keep_bodies = args.bodies.is_some();
    // Open every connection before the clock starts.
    let mut conns = Vec::new();
    for _ in 0..args.connections {
        conns.push(
            Conn::open(args.addr, timeout)
                .unwrap_or_else(|e| die(&format!("connecting to {}: {e}", args.addr))),
        );
    }
    let start = Instant::now() + Duration::from_millis(50);
    let mut handles = Vec::new();
    for conn in conns {
        let requests = Arc::clone(&requests);
        let next = Arc::clone(&next);
        let tally = Arc::clone(&tally);
        let addr = args.addr;
        handles.push(std::thread::spawn(move || {
            let mut conn = Some(conn);
            let mut local = Tally::default();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let due = start + Duration::from_nanos((i as f64 * interval_ns) as u64);
                let now = Instant::now();
                if due > now {
                    std::thread::sleep(due - now);
                }
                let request = &requests[i % requests.len()];
                if conn.is_none() {
                    conn = Conn::open(addr, timeout).ok();
                }
                let result = match conn.as_mut() {
                    Some(c) => c.exchange(request),
                    None => Err(std::io::Error::other("cannot connect")),
                };
                let done = Instant::now();
                match result {
                    Ok((status, body, keep_alive)) => {
                        local
                            .latencies_us
                            .push(done.saturating_duration_since(due).as_micros() as u64);
                        *local.statuses.entry(status).or_default() += 1;
                        if keep_bodies {
                            local.bodies.push((i, body));
                        }
                        if !keep_alive {
                            conn = None;
                        }
                    }
                    Err(_) => {
                        local.errors += 1;
                        conn = None;
                    }
                }
            }
            let mut t = tally.lock().unwrap();
            t.latencies_us.extend(local.latencies_us);
            for (k, v) in local.statuses {
                *t.statuses.entry(k).or_default() += v;
            }
            t.errors += local.errors;
            t.bodies.extend(local.bodies);
        }));
    }
    for h in handles {
        h.join().expect("worker panicked");
    }
    let elapsed = start.elapsed().as_secs_f64();
    let mut t = Arc::try_unwrap(tally)
        .ok()
        .expect("workers done")
        .into_inner()
        .unwrap();
    t.latencies_us.sort_unstable();
    let pct = |p: f64| -> f64 {
        if t.latencies_us.is_empty() {
            return f64::NAN;
        }
        let idx = ((p / 100.0) * (t.latencies_us.len() as f64)).ceil() as usize;
        let idx = idx.clamp(1, t.latencies_us.len()) - 1;
        t.latencies_us[idx] as f64 / 1000.0
    };
    let completed = t.latencies_us.len();
    let ok: u64 = t
        .statuses
        .iter()
        .filter(|(k, _)| (200..300).contains(*k))
        .map(|(_, v)| v)
        .sum();
    let statuses: Vec<String> = t
        .statuses
        .iter()
        .map(|(k, v)| format!("\"{k}\": {v}"))
        .collect();
    let mean = if completed > 0 {
        t.latencies_us.iter().sum::<u64>() as f64 / completed as f64 / 1000.0
    } else {
        f64::NAN
    };
    let json = format!(
        "{{\"target_rate\": {rate}, \"duration_s\": {dur:.3}, \"scheduled\": {total}, \"completed\": {completed}, \
\"ok_2xx\": {ok}, \"errors\": {errors}, \"statuses\": {{{statuses}}}, \"achieved_rps\": {ach:.1}, \
\"mean_ms\": {mean:.3}, \"p50_ms\": {p50:.3}, \"p90_ms\": {p90:.3}, \"p99_ms\": {p99:.3}, \"p999_ms\": {p999:.3}, \"max_ms\": {max:.3}, \"connections\": {conns}}}",
        rate = args.rate,
        dur = elapsed,
        errors = t.errors,
        statuses = statuses.join(", "),
        ach = completed as f64 / elapsed,
        p50 = pct(50.0),
        p90 = pct(90.0),
        p99 = pct(99.0),
        p999 = pct(99.9),
        max = pct(100.0),
        conns = args.connections,
    );
    println!("{json}");
    if let Some(path) = &args.json {
        std::fs::write(path, format!("{json}\n"))
            .unwrap_or_else(|e| die(&format!("writing {path}: {e}")));
    }
    if let Some(path) = &args.bodies {
        t.bodies.sort_by_key(|(i, _)| *i);
        let mut out = Vec::new();
        for (_, body) in &t.bodies {
            out.extend(body.iter().map(|&b| if b == b'\n' { b' ' } else { b }));
            out.push(b'\n');
        }
        std::fs::write(path, out).unwrap_or_else(|e| die(&format!("writing {path}: {e}")));
    }
}
