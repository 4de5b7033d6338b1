//! Shared by the tests that build the report from a copy of `report/`.

use std::path::{Path, PathBuf};

/// A copy of `report/` (chapters, code book, config) as `root/<name>` with
/// `analyse.bootstrap` set to `b` (0 = analytic standard errors); returns the
/// config path.
pub fn report_copy(root: &Path, name: &str, b: usize) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(dir.join("kapitler")).unwrap();
    for entry in std::fs::read_dir("report/kapitler").unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join("kapitler").join(path.file_name().unwrap())).unwrap();
    }
    std::fs::copy("report/dream-koder.yaml", dir.join("dream-koder.yaml")).unwrap();
    let yaml = std::fs::read_to_string("report/rapport.yaml").unwrap();
    assert!(
        yaml.contains("bootstrap: 500"),
        "the shipped config has B = 500"
    );
    let yaml = yaml.replace("bootstrap: 500", &format!("bootstrap: {b}"));
    std::fs::write(dir.join("rapport.yaml"), yaml).unwrap();
    dir.join("rapport.yaml")
}
