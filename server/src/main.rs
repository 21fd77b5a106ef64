//! `coko`: runs the server or one of its maintenance commands.

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(e) = server::cli::run(args).await {
        eprintln!("coko: {e:#}");
        std::process::exit(1);
    }
}
