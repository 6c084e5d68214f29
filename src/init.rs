//! `normbok init DIR`: writes a minimal site that builds, as a starting point.

use std::path::Path;

use crate::Outcome;
use crate::diag::{Diagnostic, Exit};

const FILES: &[(&str, &str)] = &[
    // The build output and the link cache are generated; they do not belong in version control.
    (".gitignore", "/public/\n/.normbok/\n"),
    (
        "normbok.toml",
        r#"title = "Min veileder"
language = "nb"
base_url = ""
theme = "default"

[[versions]]
id = "1.0"
label = "Versjon 1.0"
status = "current"

[[obligations]]
id = "skal"
label = "Skal"

[[obligations]]
id = "bor"
label = "Bør"

[[target_groups]]
id = "virksomhet"
label = "Virksomheter"

[[target_groups]]
id = "leverandor"
label = "Leverandører"
"#,
    ),
    (
        "content/1.0/pages/index.md",
        r#"---
title: Min veileder
summary: Forsiden til veilederen.
---

Dette er forsiden. Kravene står i [kravlisten](kom-i-gang.md), og kravet [[EKS-01]] er et eksempel.
"#,
    ),
    (
        "content/1.0/pages/kom-i-gang.md",
        r#"---
title: Kom i gang
order: 1
---

## Krav

Krav skrives i `content/1.0/requirements/*.yaml`, ett kapittel per fil. Se [[EKS-01]] og [referansen](ref:eksempel).
"#,
    ),
    (
        "content/1.0/requirements/eksempel.yaml",
        r#"# yaml-language-server: $schema=../../../normbok-schema.json
chapter:
  id: eksempel
  title: Eksempelkrav
  order: 1
requirements:
  - id: EKS-01
    title: Et eksempel på et krav
    obligation: skal
    target_groups: [virksomhet, leverandor]
    statement: |
      Virksomheten **skal** beskrive hvordan kravet følges opp.
    references: [eksempel]
"#,
    ),
    (
        "content/1.0/references/referanser.yaml",
        r#"# yaml-language-server: $schema=../../../normbok-schema.json
references:
  - id: eksempel
    kind: website
    title: Eksempelreferanse
    url: https://www.normen.no/
"#,
    ),
];

/// Creates the site; refuses a non-empty folder.
pub fn run(dir: &Path) -> Outcome {
    let fail_with = |exit: Exit, msg: String, help: Option<&str>| {
        let mut d = crate::diag::Diagnostics::new();
        d.push(Diagnostic::global("E-INIT", msg).help_opt(help.map(str::to_string)));
        Outcome { exit, diagnostics: d, summary: None }
    };
    let fail = |msg: String| fail_with(Exit::Invalid, msg, None);
    if dir.exists() && std::fs::read_dir(dir).map(|mut r| r.next().is_some()).unwrap_or(true) {
        // The argument is wrong, not any content: a usage error.
        return fail_with(Exit::Usage, format!("{} exists and is not empty", dir.display()), Some("name a new or empty folder"));
    }
    for (path, text) in FILES {
        let p = dir.join(path);
        if let Some(parent) = p.parent()
            && let Err(e) = std::fs::create_dir_all(parent)
        {
            return fail(format!("cannot create {}: {e}", parent.display()));
        }
        if let Err(e) = std::fs::write(&p, text) {
            return fail(format!("cannot write {}: {e}", p.display()));
        }
    }
    // The site-aware schema (its groups, obligations and references as enums), the same as
    // `normbok schema --root DIR` prints; the YAML files name it in their first line.
    let schema = match crate::schema::for_site(dir) {
        Ok(s) => s,
        Err(_) => crate::load::records::json_schema(),
    };
    if let Err(e) = std::fs::write(dir.join("normbok-schema.json"), crate::schema::to_text(&schema)) {
        return fail(format!("cannot write schema: {e}"));
    }
    Outcome {
        exit: Exit::Success,
        diagnostics: crate::diag::Diagnostics::new(),
        summary: Some(format!(
            "created a site in {0}; preview it with `cd {0} && normbok serve`, or build it into {0}/public/ with `cd {0} && normbok build`",
            dir.display()
        )),
    }
}
