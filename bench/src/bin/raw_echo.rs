//! The ceiling: a raw TCP echo on the same runtime, with the same I/O pattern as ours (one
//! 64 KiB read buffer per connection, each read written back whole). No handshake, no
//! framing: `wsharness bench --raw` sends it the same framed octets and checks that they
//! come back unchanged.

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

async fn echo(mut stream: TcpStream) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        stream.write_all(&buf[..n]).await?;
    }
}

fn main() -> anyhow::Result<()> {
    websocket_bench_servers::runtime()?.block_on(async {
        let listener = websocket_bench_servers::bind().await?;
        loop {
            let (stream, _) = listener.accept().await?;
            tokio::spawn(echo(stream));
        }
    })
}
