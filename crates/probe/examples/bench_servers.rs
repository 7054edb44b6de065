//! Loopback servers for `bench/prometheus-graphql-websocket.sh`: a GraphQL endpoint
//! (async-graphql under axum) and a WebSocket echo server (tokio-tungstenite).
//!
//! `cargo run --release -p triage-probe --example bench_servers` prints two lines,
//! `graphql ADDRESS` and `websocket ADDRESS`, then serves until killed. It binds
//! 127.0.0.1 only. GraphQL answers `{ health { status } }` at `/graphql`; the WebSocket
//! server at any path echoes every text message back.

use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema, SimpleObject};
use futures::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

#[derive(SimpleObject)]
struct Health {
    status: String,
}

struct Query;

#[Object]
impl Query {
    async fn health(&self) -> Health {
        Health { status: "UP".into() }
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
    let app = axum::Router::new().route(
        "/graphql",
        axum::routing::post(move |axum::Json(request): axum::Json<async_graphql::Request>| {
            let schema = schema.clone();
            async move { axum::Json(schema.execute(request).await) }
        }),
    );
    let graphql = TcpListener::bind("127.0.0.1:0").await?;
    let websocket = TcpListener::bind("127.0.0.1:0").await?;
    println!("graphql {}", graphql.local_addr()?);
    println!("websocket {}", websocket.local_addr()?);
    tokio::spawn(async move { axum::serve(graphql, app).await });
    loop {
        let (stream, _) = websocket.accept().await?;
        tokio::spawn(async move {
            let _ = stream.set_nodelay(true);
            let Ok(mut socket) = tokio_tungstenite::accept_async(stream).await else { return };
            while let Some(Ok(message)) = socket.next().await {
                if let Message::Text(text) = message
                    && socket.send(Message::Text(text)).await.is_err()
                {
                    return;
                }
            }
        });
    }
}
