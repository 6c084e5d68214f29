//! Stage 4 (render): the jobs. One job per output page, its output path (from [`crate::paths`])
//! and the page builder that renders it.

use crate::diag::Diagnostic;
use crate::model::Site;
use crate::paths;
use crate::versions::Versions;

use super::Ctx;

/// Output paths of every rendered page of the site (not the copied files or the sitemap).
pub fn page_paths(site: &Site, hist: &Versions) -> Vec<String> {
    jobs(site, hist).into_iter().map(|j| job_path(site, j)).collect()
}

pub(super) fn jobs<'a>(site: &Site, hist: &'a Versions) -> Vec<Job<'a>> {
    let mut jobs: Vec<Job<'_>> = vec![Job::Root, Job::Versions, Job::NotFound];
    jobs.extend(hist.permalink.keys().map(|id| Job::Permalink(id.as_str())));
    for (vi, v) in site.versions.iter().enumerate() {
        jobs.extend([Job::ReqIndex(vi), Job::RefIndex(vi), Job::Changes(vi), Job::Search(vi), Job::Contents(vi), Job::Toc(vi)]);
        jobs.extend((0..v.pages.len()).map(|pi| Job::Page(vi, pi)));
        jobs.extend((0..v.requirements.len()).map(|ri| Job::Req(vi, ri)));
        jobs.extend((0..v.chapters.len()).map(|ci| Job::Chapter(vi, ci)));
        jobs.extend((0..site.config.target_groups.len()).map(|gi| Job::Group(vi, gi)));
        jobs.extend((0..v.references.len()).map(|ri| Job::Ref(vi, ri)));
    }
    jobs.extend(super::compare::pairs(site).map(|(vi, oi)| Job::ChangesFrom(vi, oi)));
    jobs.extend((0..site.versions.len()).map(Job::Print));
    jobs
}

/// The output path a job renders (each job function builds the same path for itself).
pub(super) fn job_path(site: &Site, job: Job<'_>) -> String {
    let v = |vi: usize| &site.versions[vi];
    match job {
        Job::Root => paths::ROOT_INDEX.into(),
        Job::Versions => paths::VERSIONS.into(),
        Job::NotFound => paths::NOT_FOUND.into(),
        Job::Permalink(id) => paths::permalink(id),
        Job::Page(vi, pi) => paths::page(&v(vi).id, &v(vi).pages[pi].out),
        Job::ReqIndex(vi) => paths::requirements_index(&v(vi).id),
        Job::Req(vi, ri) => paths::requirement(&v(vi).id, &v(vi).requirements[ri].id.value),
        Job::Chapter(vi, ci) => paths::chapter(&v(vi).id, &v(vi).chapters[ci].id.value),
        Job::Group(vi, gi) => paths::group(&v(vi).id, site.config.target_groups[gi].id.get_ref()),
        Job::RefIndex(vi) => paths::references_index(&v(vi).id),
        Job::Ref(vi, ri) => paths::reference(&v(vi).id, &v(vi).references[ri].id.value),
        Job::Changes(vi) => paths::changes(&v(vi).id),
        Job::Search(vi) => paths::search_page(&v(vi).id),
        Job::Contents(vi) => paths::contents(&v(vi).id),
        Job::ChangesFrom(vi, oi) => paths::changes_from(&v(vi).id, &v(oi).id),
        Job::Print(vi) => paths::print(&v(vi).id),
        Job::Toc(vi) => paths::toc(&v(vi).id),
    }
}

#[derive(Clone, Copy)]
pub(super) enum Job<'a> {
    Root,
    Versions,
    NotFound,
    Permalink(&'a str),
    Page(usize, usize),
    ReqIndex(usize),
    Req(usize, usize),
    Chapter(usize, usize),
    Group(usize, usize),
    RefIndex(usize),
    Ref(usize, usize),
    Changes(usize),
    Search(usize),
    /// `<v>/changes/<older>.html` (newer, older).
    ChangesFrom(usize, usize),
    /// `<v>/print.html`.
    Print(usize),
    /// The version's contents page: the navigation without JavaScript.
    Contents(usize),
    /// `<v>/toc.js`: the same navigation once per version, drawn into every page's menu.
    Toc(usize),
}

impl Job<'_> {
    /// The version whose data the job reads (`None` for site-level pages).
    pub(super) fn version(self) -> Option<usize> {
        match self {
            Job::Root | Job::Versions | Job::NotFound | Job::Permalink(_) => None,
            Job::Page(vi, _)
            | Job::ReqIndex(vi)
            | Job::Req(vi, _)
            | Job::Chapter(vi, _)
            | Job::Group(vi, _)
            | Job::RefIndex(vi)
            | Job::Ref(vi, _)
            | Job::Changes(vi)
            | Job::Search(vi)
            | Job::ChangesFrom(vi, _)
            | Job::Print(vi)
            | Job::Contents(vi)
            | Job::Toc(vi) => Some(vi),
        }
    }
}

impl<'a> Ctx<'a> {
    pub(super) fn run(&self, job: Job<'_>) -> Result<(String, String), Diagnostic> {
        match job {
            Job::Root => self.root_index(),
            Job::Versions => self.versions_page(),
            Job::NotFound => self.not_found(),
            Job::Permalink(id) => self.permalink(id),
            Job::Page(vi, pi) => self.page(vi, pi),
            Job::ReqIndex(vi) => self.req_index(vi),
            Job::Req(vi, ri) => self.requirement(vi, ri),
            Job::Chapter(vi, ci) => self.chapter(vi, ci),
            Job::Group(vi, gi) => self.group(vi, gi),
            Job::RefIndex(vi) => self.ref_index(vi),
            Job::Ref(vi, ri) => self.reference(vi, ri),
            Job::Changes(vi) => self.changes(vi),
            Job::Search(vi) => self.search_page(vi),
            Job::Contents(vi) => self.contents(vi),
            Job::ChangesFrom(vi, oi) => self.changes_from(vi, oi),
            Job::Print(vi) => self.print_page(vi),
            Job::Toc(vi) => self.toc(vi),
        }
    }
}
