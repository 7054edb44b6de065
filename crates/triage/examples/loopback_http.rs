//! A minimal HTTP/1.1 server for benchmarks: answers every request with `200 OK` and a
//! small JSON body, keeps connections alive unless the client says `Connection: close`.
//!
//! `cargo run --release --example loopback_http -- [PORT]` prints the bound address on
//! stdout, then serves until killed. It binds 127.0.0.1 only.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"status\":\"UP\"}";

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    println!("{}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(serve(stream));
    }
}

async fn serve(mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let mut buf = vec![0u8; 8192];
    let mut filled = 0;
    loop {
        let Ok(n) = stream.read(&mut buf[filled..]).await else { return };
        if n == 0 {
            return;
        }
        filled += n;
        // Answer every complete request head in the buffer (pipelining-safe).
        while let Some(end) = find(&buf[..filled], b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            if stream.write_all(RESPONSE).await.is_err() {
                return;
            }
            buf.copy_within(end + 4..filled, 0);
            filled -= end + 4;
            if head.contains("connection: close") {
                let _ = stream.shutdown().await;
                return;
            }
        }
        if filled == buf.len() {
            return; // a head larger than 8 KiB: not a client we serve
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
