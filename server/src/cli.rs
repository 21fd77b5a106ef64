//! Command-line: `serve` (default), `migrate`, `create-admin`, `seed --demo`, `import`,
//! `reindex`, `payment-sandbox`.

use crate::config::{Config, LogFormat};
use crate::state::AppState;
use domain::account::AccountStore;
use domain::account::{AdminOutcome, NewAccount};
use leptos::config::{get_configuration, LeptosOptions};

const USAGE: &str =
    "usage: coko [serve | migrate | create-admin --email E [--name N] [--promote] | seed --demo | import DIR [--draft] | reindex | payment-sandbox]
  create-admin reads the password from COKO_ADMIN_PASSWORD, or asks for it (never on the command
  line: every user of the machine can read it there). An address that already has an account
  gets that password and loses its sessions and tokens; with --promote, a verified account is
  made admin and keeps its own password.
  seed --demo works only on a loopback address with a plain-http loopback base URL.
  reindex rebuilds the search index (Meilisearch when MEILISEARCH_URL is set) from the database.
  payment-sandbox serves stand-ins for the payment providers on loopback (COKO_SANDBOX_ADDR).
  Configuration comes from the environment: see README.md.";

#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Serve,
    Migrate,
    CreateAdmin { email: String, name: String, promote: bool },
    SeedDemo,
    Import { dir: std::path::PathBuf, draft: bool },
    Reindex,
    PaymentSandbox,
    Help,
}

pub fn parse(args: &[String]) -> Result<Command, String> {
    let flag = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    match args.first().map(String::as_str) {
        None | Some("serve") => Ok(Command::Serve),
        Some("migrate") => Ok(Command::Migrate),
        Some("create-admin") if args.iter().any(|a| a == "--password") => {
            Err("create-admin takes no --password: set COKO_ADMIN_PASSWORD or type it at the prompt".into())
        }
        Some("create-admin") => Ok(Command::CreateAdmin {
            email: flag("--email").ok_or("create-admin needs --email")?,
            name: flag("--name").unwrap_or_else(|| "Admin".into()),
            promote: args.iter().any(|a| a == "--promote"),
        }),
        Some("seed") if args.iter().any(|a| a == "--demo") => Ok(Command::SeedDemo),
        Some("import") => Ok(Command::Import {
            dir: args.get(1).filter(|a| !a.starts_with("--")).ok_or("import needs a folder")?.into(),
            draft: args.iter().any(|a| a == "--draft"),
        }),
        Some("reindex") => Ok(Command::Reindex),
        Some("payment-sandbox") => Ok(Command::PaymentSandbox),
        Some("-h" | "--help" | "help") => Ok(Command::Help),
        Some(other) => Err(format!("unknown command '{other}'\n{USAGE}")),
    }
}

fn leptos_options() -> LeptosOptions {
    match get_configuration(None) {
        Ok(conf) => conf.leptos_options,
        Err(_) => LeptosOptions::builder().output_name("coko").site_root("target/site").site_pkg_dir("pkg").build(),
    }
}

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

/// Runs the command line; the process exits non-zero on any error.
pub async fn run(args: Vec<String>) -> anyhow::Result<()> {
    let command = parse(&args).map_err(anyhow::Error::msg)?;
    if command == Command::Help {
        println!("{USAGE}");
        return Ok(());
    }
    if command == Command::PaymentSandbox {
        init_tracing(LogFormat::Text);
        return crate::sandbox::run(crate::sandbox::SandboxConfig::from_env()?).await;
    }
    let leptos = leptos_options();
    let config = Config::from_env(&leptos.site_addr.to_string())?;
    init_tracing(config.log_format);
    let state = AppState::build(config, leptos.clone()).await?;
    match command {
        Command::Serve => {
            if let Err(why) = state.config.refuse_demo(&leptos.site_addr) {
                if let Some(email) = demo_accounts_present(&state).await? {
                    anyhow::bail!("demo account {email} exists (its password is public) and {why}: serve a database without demo data");
                }
            }
            let listener = tokio::net::TcpListener::bind(leptos.site_addr).await?;
            tracing::info!(addr = %leptos.site_addr, backend = state.store.backend().as_str(), "Coko is listening");
            crate::serve(listener, state).await?;
        }
        Command::Migrate => println!("migrations applied ({})", state.store.backend().as_str()),
        Command::CreateAdmin { email, name, promote } => {
            let password = match std::env::var("COKO_ADMIN_PASSWORD").ok().filter(|p| !p.is_empty()) {
                Some(p) => p,
                None if promote => String::new(),
                None => read_password()?,
            };
            let form = NewAccount { email, password, name, country: "SN".into(), language: Some("fr".into()) };
            let operator = domain::audit::Actor::system(domain::account::Role::Admin);
            let outcome = state.accounts.ensure_admin(&operator, form, promote).await.map_err(cli_error)?;
            let user = outcome.user();
            match outcome {
                AdminOutcome::Created(_) => println!("admin created: {} ({})", user.email, user.id),
                AdminOutcome::Promoted(_) => println!("admin ready: {} ({}), promoted with its own password", user.email, user.id),
                AdminOutcome::PasswordSet(_) => println!(
                    "admin ready: {} ({}); the account existed: it now has the password given, and its sessions and tokens were ended",
                    user.email, user.id
                ),
            }
        }
        Command::SeedDemo => {
            state.config.refuse_demo(&leptos.site_addr).map_err(|why| anyhow::anyhow!("no demo data here: {why}"))?;
            let operator = domain::audit::Actor::system(domain::account::Role::Admin);
            for (email, name, role) in DEMO_ACCOUNTS {
                if state.store.user_by_email(email).await?.is_some() {
                    println!("demo account: {email} (already there)");
                    continue;
                }
                let form = NewAccount {
                    email: email.to_string(),
                    password: DEMO_PASSWORD.into(),
                    name: name.to_string(),
                    country: "SN".into(),
                    language: Some("fr".into()),
                };
                let role = domain::account::Role::parse(role).expect("demo roles are roles");
                state.accounts.create_verified(&operator, form, role).await.map_err(cli_error)?;
                println!("demo account: {email} / {DEMO_PASSWORD} ({})", role.as_str());
            }
            seed_demo_books(&state).await?;
        }
        Command::Import { dir, draft } => import_folder(&state, &dir, draft).await?,
        Command::Reindex => {
            let operator = domain::audit::Actor::system(domain::account::Role::Admin);
            if state.config.meilisearch.is_some() {
                // Meilisearch is shared: rebuilt from here, at once.
                let started = std::time::Instant::now();
                let n = state.catalog.reindex().await?;
                println!("search index rebuilt: {n} published books in {:.1} s", started.elapsed().as_secs_f64());
            } else {
                // The embedded index lives in the server's memory: the server rebuilds it.
                state.catalog.ask_reindex(&operator).await?;
                println!(
                    "search index rebuild asked: the running server rebuilds its embedded index (a server also builds it when it starts)"
                );
            }
        }
        Command::Help | Command::PaymentSandbox => {}
    }
    Ok(())
}

fn cli_error(e: domain::account::AccountError) -> anyhow::Error {
    match e.fields() {
        [] => anyhow::anyhow!("{e}"),
        fields => anyhow::anyhow!("refused: {}", fields.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
    }
}

/// The admin password, typed at a prompt without echo, or read from standard input when it is
/// not a terminal (`printf '%s\n' "$P" | coko create-admin …`).
fn read_password() -> anyhow::Result<String> {
    use std::io::IsTerminal;
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Admin password: ")?
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    if password.is_empty() {
        anyhow::bail!("no password given: set COKO_ADMIN_PASSWORD or type it at the prompt");
    }
    Ok(password)
}

/// The first demo account found, if any.
async fn demo_accounts_present(state: &AppState) -> anyhow::Result<Option<&'static str>> {
    for (email, _, _) in DEMO_ACCOUNTS {
        if state.store.user_by_email(email).await?.is_some() {
            return Ok(Some(email));
        }
    }
    Ok(None)
}

/// Generates the demo EPUBs and catalogues them like any upload, with their prices.
async fn seed_demo_books(state: &AppState) -> anyhow::Result<()> {
    use domain::catalog::{ImportOutcome, Money};
    use domain::demo::{epub, DEMO_BOOKS};
    for b in DEMO_BOOKS {
        let bytes = epub(b);
        let name = format!("{}.epub", b.title);
        let id = match state.catalog.import(&bytes, &name, true).await.map_err(|e| anyhow::anyhow!("{}: {e}", b.title))? {
            ImportOutcome::Created(book) => book.id,
            ImportOutcome::AlreadyPresent(id) => id,
        };
        let seeder = domain::audit::Actor::system(domain::account::Role::Admin);
        let published = domain::catalog::BookStatus::Published;
        let offer = domain::catalog::Offer { price: Money::xof(b.price_xof), featured: b.featured, premium: b.premium };
        let book = state.catalog.edit(&seeder, &id, published, offer).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let form = domain::catalog::MetadataForm { categories: Some(b.categories.into()), ..domain::catalog::MetadataForm::of(&book) };
        state.catalog.correct(&seeder, &id, &form).await.map_err(|e| anyhow::anyhow!("{}: {e}", b.title))?;
        println!("demo book: {} ({})", b.title, if b.price_xof == 0 { "free".to_owned() } else { format!("{} XOF", b.price_xof) });
    }
    Ok(())
}

/// EPUB and PDF files below `dir`, sorted.
fn book_files(dir: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("epub") || e.eq_ignore_ascii_case("pdf"))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Imports every book file of a folder, one line per file; fails when any file failed.
/// Books added by one import past which the database's statistics are refreshed.
const BULK_IMPORT: usize = 200;

async fn import_folder(state: &AppState, dir: &std::path::Path, draft: bool) -> anyhow::Result<()> {
    use domain::catalog::ImportOutcome;
    let files = book_files(dir).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", dir.display()))?;
    let (mut created, mut present, mut failed) = (0, 0, 0);
    for (i, path) in files.iter().enumerate() {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let progress = format!("[{}/{}]", i + 1, files.len());
        let outcome = match tokio::fs::read(path).await {
            Ok(bytes) => state.catalog.import(&bytes, name, !draft).await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match outcome {
            Ok(ImportOutcome::Created(book)) => {
                created += 1;
                println!("{progress} added    {name}: {} ({})", book.title, book.id);
            }
            Ok(ImportOutcome::AlreadyPresent(id)) => {
                present += 1;
                println!("{progress} present  {name} ({id})");
            }
            Err(why) => {
                failed += 1;
                println!("{progress} REFUSED  {name}: {why}");
            }
        }
    }
    println!("import: {created} added, {present} already present, {failed} refused");
    if created >= BULK_IMPORT {
        state.store.refresh_statistics().await?;
    }
    if failed > 0 {
        anyhow::bail!("{failed} file(s) refused");
    }
    Ok(())
}

/// Demo accounts created by `seed --demo` (the password is in the README).
pub const DEMO_ACCOUNTS: &[(&str, &str, &str)] = &[
    ("admin@coko.demo", "Aïssatou Admin", "admin"),
    ("editeur@coko.demo", "Ousmane Éditeur", "editor"),
    ("lecteur@coko.demo", "Fatou Lectrice", "reader"),
];
pub const DEMO_PASSWORD: &str = "coko-demo-2026";

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn parses_commands() {
        assert_eq!(parse(&[]).unwrap(), Command::Serve);
        assert_eq!(parse(&args("migrate")).unwrap(), Command::Migrate);
        assert_eq!(
            parse(&args("create-admin --email a@b.sn --name Awa")).unwrap(),
            Command::CreateAdmin { email: "a@b.sn".into(), name: "Awa".into(), promote: false }
        );
        assert_eq!(
            parse(&args("create-admin --email a@b.sn --promote")).unwrap(),
            Command::CreateAdmin { email: "a@b.sn".into(), name: "Admin".into(), promote: true }
        );
        assert!(parse(&args("create-admin --email a@b.sn --password secret")).is_err(), "never on the command line");
        assert!(parse(&args("create-admin")).is_err());
        assert_eq!(parse(&args("seed --demo")).unwrap(), Command::SeedDemo);
        assert!(parse(&args("frobnicate")).is_err());
        assert_eq!(parse(&args("import books --draft")).unwrap(), Command::Import { dir: "books".into(), draft: true });
        assert!(parse(&args("import")).is_err());
        assert_eq!(parse(&args("reindex")).unwrap(), Command::Reindex);
    }
}
