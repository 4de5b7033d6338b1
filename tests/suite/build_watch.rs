//! `build --watch`: a chapter edit rebuilds the report from the cache, a broken chapter is
//! reported without ending the watch, and fixing it rebuilds again.

use crate::report_support::report_copy;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Kills the watching process however the test ends.
struct Watcher(Child);

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The next status line starting with `prefix`, within `limit`.
fn wait_for(lines: &Receiver<String>, prefix: &str, limit: Duration, log: &Path) -> String {
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.starts_with(prefix) => return line,
            Ok(_) => {}
            Err(RecvTimeoutError::Timeout) => panic!(
                "no «{prefix}» within {limit:?}; stderr:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            ),
            Err(RecvTimeoutError::Disconnected) => panic!(
                "the watcher stopped before «{prefix}»; stderr:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            ),
        }
    }
}

#[test]
fn a_chapter_edit_rebuilds_from_the_cache_and_errors_do_not_stop_the_watch() {
    let root = tempfile::tempdir().unwrap();
    let config = report_copy(root.path(), "report", 0);
    let out = root.path().join("build");
    let log = root.path().join("stderr.txt");
    let child = Command::new(env!("CARGO_BIN_EXE_effektrapport"))
        .args(["build", "--watch", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut watcher = Watcher(child);
    let stdout = watcher.0.stdout.take().unwrap();
    let (send, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });

    let first = wait_for(&lines, "bygning 1", Duration::from_secs(600), &log);
    assert!(first.contains("færdig"), "{first}");
    assert!(
        first.contains("beregnet"),
        "the first build estimates: {first}"
    );

    // A prose edit: rebuilt from the cache, the new sentence in the PDF.
    let chapter = root.path().join("report/kapitler/resume.md");
    let prose = std::fs::read_to_string(&chapter).unwrap();
    std::fs::write(&chapter, format!("{prose}\nZebrafinken synger.\n")).unwrap();
    let second = wait_for(&lines, "bygning 2", Duration::from_secs(300), &log);
    assert!(second.contains("færdig"), "{second}");
    assert!(
        second.contains("resume.md"),
        "the changed file is named: {second}"
    );
    assert!(
        second.contains("dele fra cachen"),
        "nothing estimated: {second}"
    );
    let text = std::fs::read_to_string(out.join("rapport.txt")).unwrap();
    assert!(text.contains("Zebrafinken"), "the edit is in the PDF");

    // A broken chapter: the error is reported and the watch goes on.
    std::fs::write(
        &chapter,
        format!("{prose}\n{{{{ r(\"findes_ikke\").est }}}}\n"),
    )
    .unwrap();
    let third = wait_for(&lines, "bygning 3", Duration::from_secs(300), &log);
    assert!(third.contains("fejl"), "{third}");
    assert!(
        std::fs::read_to_string(out.join("rapport.txt"))
            .unwrap()
            .contains("Zebrafinken"),
        "the last good build is left in place"
    );
    std::fs::write(&chapter, &prose).unwrap();
    let fourth = wait_for(&lines, "bygning 4", Duration::from_secs(300), &log);
    assert!(fourth.contains("færdig"), "{fourth}");
    assert!(
        !std::fs::read_to_string(out.join("rapport.txt"))
            .unwrap()
            .contains("Zebrafinken")
    );
    assert!(
        watcher.0.try_wait().unwrap().is_none(),
        "still watching until stopped"
    );
}
