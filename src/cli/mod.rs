//! The command line: one file per subcommand, each a thin shell over the library.

mod agreement;
mod autocode;
mod check;
mod combine;
mod export;
mod git_setup;
mod import;
mod import_refi;
mod import_refs;
mod init;
mod merge;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::model::Construct;
use crate::store::StoreError;

#[derive(Parser, Debug)]
#[command(
    name = "thematic",
    version,
    about = "A terminal workstation for qualitative evidence synthesis",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Project directory to open in the workstation (default: the current directory).
    pub dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create an empty project in DIR (which must not exist, or be empty).
    Init {
        dir: PathBuf,
        #[arg(long)]
        title: String,
        #[arg(long)]
        reviewer: String,
        /// The review question.
        #[arg(long, default_value = "")]
        question: String,
    },
    /// Add studies from .txt, .md, .docx, .odt or .pdf files; a folder imports every such file in it.
    Import {
        dir: PathBuf,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Add the files as further sources of this study instead of new studies.
        #[arg(long)]
        study: Option<String>,
    },
    /// Add studies from a reference manager's export (.ris, .bib), or fill in their citations.
    ImportRefs { dir: PathBuf, file: PathBuf },
    /// Validate every file and every coding against its text; exit 1 on any error.
    Check { dir: PathBuf },
    /// Git's merge driver: merge one project file by meaning into OURS (`%O %A %B %P`).
    Merge {
        base: PathBuf,
        ours: PathBuf,
        theirs: PathBuf,
        /// The file's path in the repository (helps recognise it).
        path: Option<String>,
    },
    /// Make DIR git-friendly: register the merge driver, ignore .thematic/.
    GitSetup { dir: PathBuf },
    /// After a merge (run by the post-merge hook `git-setup` installs): restore codes
    /// deleted on one side but still used on the other.
    #[command(hide = true)]
    RestoreCodes { dir: PathBuf },
    /// Export as REFI-QDA: the project (.qdpx) for NVivo, ATLAS.ti, MAXQDA, QualCoder…, or its codebook (.qdc).
    Export {
        dir: PathBuf,
        /// Write the whole project as a .qdpx.
        #[arg(
            long,
            value_name = "FILE",
            conflicts_with = "qdc",
            required_unless_present = "qdc"
        )]
        qdpx: Option<PathBuf>,
        /// Write the codebook as a .qdc.
        #[arg(long, value_name = "FILE")]
        qdc: Option<PathBuf>,
    },
    /// Create a project in DIR from a REFI-QDA project (.qdpx, or a .qde with its sources/ beside it, or that unpacked folder).
    ImportQdpx {
        file: PathBuf,
        dir: PathBuf,
        /// The project's title (default: the REFI project's name).
        #[arg(long)]
        title: Option<String>,
        /// The owner (default: the REFI project's creating user, else its first user).
        #[arg(long)]
        reviewer: Option<String>,
    },
    /// Create a project in DIR from a REFI-QDA codebook (.qdc).
    ImportQdc {
        file: PathBuf,
        dir: PathBuf,
        /// The project's title (default: the file's name).
        #[arg(long)]
        title: Option<String>,
        /// The owner (default: $USER).
        #[arg(long)]
        reviewer: Option<String>,
    },
    /// Code every match of a literal (case-insensitive) or a regular expression.
    Autocode {
        dir: PathBuf,
        /// The code, as a path `Theme/Sub-theme/Code` (created if missing) or an id.
        #[arg(long)]
        code: String,
        /// A literal text, matched case-insensitively.
        #[arg(
            long = "match",
            conflicts_with = "regex",
            required_unless_present = "regex"
        )]
        literal: Option<String>,
        /// A regular expression (Rust `regex` syntax).
        #[arg(long)]
        regex: Option<String>,
        /// Only this study.
        #[arg(long)]
        study: Option<String>,
        /// Construct type of the new codings.
        #[arg(long, value_parser = parse_construct, default_value = "unspecified")]
        construct: Construct,
    },
    /// Combine two reviewers' projects that share no merge base into a new project.
    Combine(combine::Args),
    /// Inter-rater agreement per code: percent agreement and Cohen's kappa.
    Agreement(agreement::Args),
    /// Print a report: coverage, matrix, codebook, segments, characteristics, appraisal.
    Report(report::Args),
}

fn parse_construct(s: &str) -> Result<Construct, String> {
    Construct::parse(s)
        .ok_or_else(|| "expected participant, author, reviewer or unspecified".into())
}

/// Why a command failed: bad usage (exit 2) or work that could not be done (exit 1).
#[derive(Debug)]
pub enum Failure {
    Usage(String),
    Failed(String),
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Usage(m) => Failure::Usage(m),
            other => Failure::Failed(other.to_string()),
        }
    }
}

pub type CmdResult = Result<(), Failure>;

/// Run a parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        None => crate::runtime::run(&cli.dir.unwrap_or_else(|| PathBuf::from(".")))
            .map_err(Failure::Failed),
        Some(Command::Init {
            dir,
            title,
            reviewer,
            question,
        }) => init::run(&dir, &title, &reviewer, &question),
        Some(Command::Import { dir, files, study }) => import::run(&dir, &files, study.as_deref()),
        Some(Command::ImportRefs { dir, file }) => import_refs::run(&dir, &file),
        Some(Command::Check { dir }) => check::run(&dir),
        Some(Command::Export { dir, qdpx, qdc }) => {
            export::run(&dir, qdpx.as_deref(), qdc.as_deref())
        }
        Some(Command::ImportQdpx {
            file,
            dir,
            title,
            reviewer,
        }) => import_refi::run_qdpx(&file, &dir, title, reviewer),
        Some(Command::ImportQdc {
            file,
            dir,
            title,
            reviewer,
        }) => import_refi::run_qdc(&file, &dir, title, reviewer),
        Some(Command::Merge {
            base,
            ours,
            theirs,
            path,
        }) => merge::run(&base, &ours, &theirs, path.as_deref()),
        Some(Command::GitSetup { dir }) => git_setup::run(&dir),
        Some(Command::RestoreCodes { dir }) => {
            match crate::merge::restore::missing_codes_in_project(&dir) {
                Ok(lines) => {
                    for l in &lines {
                        eprintln!("thematic: {l}");
                    }
                    if !lines.is_empty() {
                        eprintln!("thematic: commit codebook.ron to record it");
                    }
                    Ok(())
                }
                Err(e) => Err(e.into()),
            }
        }

        Some(Command::Autocode {
            dir,
            code,
            literal,
            regex,
            study,
            construct,
        }) => autocode::run(
            &dir,
            &code,
            literal.as_deref(),
            regex.as_deref(),
            study.as_deref(),
            construct,
        ),
        Some(Command::Report(args)) => report::run(&args),
        Some(Command::Combine(args)) => combine::run(&args),
        Some(Command::Agreement(args)) => agreement::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(m)) => {
            eprintln!("thematic: {m}");
            ExitCode::from(2)
        }
        Err(Failure::Failed(m)) => {
            eprintln!("thematic: {m}");
            ExitCode::from(1)
        }
    }
}
