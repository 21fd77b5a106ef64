//! Mail through a real SMTP server (Python's aiosmtpd on loopback), not a mock.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_mail_goes_through_smtp() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let spawned = Command::new("python3")
        .args(["-u", "-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Debugging"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut smtp = match spawned {
        Ok(child) => child,
        Err(e) => return skip_or_fail(&format!("python3 not runnable: {e}")),
    };
    let (tx, rx) = mpsc::channel::<String>();
    let out = smtp.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // Wait for the port to open.
    let mut up = false;
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    if !up {
        let _ = smtp.kill();
        return skip_or_fail("aiosmtpd did not start (pip install aiosmtpd)");
    }

    let url = format!("smtp://127.0.0.1:{port}");
    let app = support::spawn_with(support::Db::Sqlite, &[("COKO_SMTP_URL", &url), ("COKO_MAIL_FROM", "Coko <no-reply@coko.test>")]).await;
    let res = support::client()
        .post(app.url("/api/v1/auth/register/"))
        .json(&serde_json::json!({"email": "smtp@example.sn", "password": "motdepasse-1", "name": "Smtp", "country": "SN"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let mut seen = String::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while std::time::Instant::now() < deadline && !seen.contains("/verifier-email?token=") {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            seen.push_str(&line);
            seen.push('\n');
        }
    }
    let _ = smtp.kill();
    assert!(seen.contains("smtp@example.sn"), "recipient reached the SMTP server: {seen}");
    assert!(seen.contains("/verifier-email?token="), "the verification link was delivered: {seen}");
    assert!(!app.outbox().exists(), "nothing went to the local outbox");
    app.finish().await;
}

fn skip_or_fail(why: &str) {
    if std::env::var("COKO_REQUIRE_SMTP_TEST").is_ok() {
        panic!("{why}");
    }
    eprintln!("SMTP test skipped: {why}");
}
