//! The duplicate search at full size, on generated people (ten fingers each, the generator's
//! ground truth): `cargo run --release -p enroll-kit-biometrics --example dedup_bench -- [PEOPLE]
//! [RETURNING] [NEWCOMERS]` (defaults 10000 1000 1000).
//!
//! PEOPLE are enrolled; RETURNING of them come back with fresh impressions of the same fingers
//! (each should be found); NEWCOMERS were never enrolled (none should be flagged). Prints: time to
//! extract a template, the search's time per ten-finger probe, duplicates found, false alarms,
//! and the single-finger EER. Generated templates are cached in target/dedup-bench/ (generating
//! 10,000 people takes about 20 minutes on two cores; the search itself seconds).
//!
//! `--shortlist N` shortlists N people instead of the kit's `SHORTLIST`. `--sweep` also tries other digest parameters and prints where the true mate ranks in the
//! shortlist for each.
//!
//! `--real DIR...` adds people made of real fingers: each folder laid out like an FVC set (ten
//! fingers × eight impressions, `<finger>_<impression>.png`, 500 dpi) is one person. Each of the
//! eight impressions of that person is enrolled among the generated people, and every other
//! impression comes back as a probe (8 × 7 = 56 trials a person): found when the probe flags one
//! of that person's enrollments, a false alarm when it flags anyone else. The real people are also
//! searched against the generated people alone, as newcomers nobody enrolled.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a dev tool: a failed setup is a failed run

use kit_biometrics::generator::{Finger, Impression};
use kit_biometrics::matcher::{Prepared, score_prepared};
use kit_biometrics::search::{Digest, DigestParams, Gallery, parallel_filter_map, person_score};
use kit_biometrics::template::Template;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// People shortlisted for full comparison: the kit's, unless `--shortlist N` says otherwise.
static SHORTLIST: std::sync::OnceLock<usize> = std::sync::OnceLock::new();

fn shortlist() -> usize {
    *SHORTLIST.get().unwrap_or(&kit_biometrics::search::SHORTLIST)
}
/// Person score at which the kit reports a possible duplicate (the kit's `PERSON_THRESHOLD`).
const PERSON_THRESHOLD: f32 = kit_biometrics::search::PERSON_THRESHOLD;
/// Print size: an R307-class reader's 256×288 at 500 dpi.
const SIZE: (usize, usize) = (256, 288);

/// One person's ten templates, as ISO/IEC 19794-2 records (the kit's stored form).
type Person = Vec<Vec<u8>>;

fn finger_seed(person: u64, position: u64) -> u64 {
    1_000_000 + person * 10 + position
}

/// How a print is taken: `Impression::typical`, or [`harsh`].
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Typical,
    Harsh,
}

/// A hard impression: a typical one with two and a half times the rotation and shift, more
/// distortion, wetter or drier, noisier, blurrier, and less of the finger on the glass.
fn harsh(seed: u64) -> Impression {
    let t = Impression::typical(seed);
    Impression {
        rotation_deg: t.rotation_deg * 2.5,
        dx: t.dx * 2.5,
        dy: t.dy * 2.5,
        distortion: t.distortion + 0.4,
        moisture: t.moisture * 2.0,
        noise: t.noise * 2.0,
        blur: t.blur + 0.3,
        contact: t.contact - 0.15,
        ..t
    }
}

/// Generates (or reads from the cache) people `from..to`, impression `take` (0 enrolled, 1 back).
fn people(dir: &Path, from: u64, to: u64, take: u64, extraction: &mut Option<Duration>) -> Vec<Person> {
    people_of(dir, from, to, take, Kind::Typical, extraction)
}

fn people_of(dir: &Path, from: u64, to: u64, take: u64, kind: Kind, extraction: &mut Option<Duration>) -> Vec<Person> {
    let tag = if kind == Kind::Harsh { "harsh-" } else { "" };
    // The version names the generator and extractor the cache was made with.
    let path = dir.join(format!("v2-{tag}people-{from}-{to}-{take}.iso"));
    if let Some(cached) = read_cache(&path, (to - from) as usize) {
        return cached;
    }
    let ids: Vec<u64> = (from..to).collect();
    let timed = Instant::now();
    let spent: Vec<Option<(Person, Duration)>> = parallel_filter_map(&ids, |&p| {
        let mut spent = Duration::ZERO;
        let person = (1..=10u64)
            .map(|position| {
                let seed = finger_seed(p, position);
                let imp = match kind {
                    Kind::Typical => Impression::typical(seed * 2 + take),
                    Kind::Harsh => harsh(seed * 2 + take),
                };
                let img = Finger::generate(seed).impression(&imp, SIZE.0, SIZE.1);
                let started = Instant::now();
                let t = Template::of(&img);
                spent += started.elapsed();
                t.to_iso(position as u8, 60)
            })
            .collect();
        Some((person, spent))
    });
    let spent: Vec<(Person, Duration)> = spent.into_iter().flatten().collect();
    let total: Duration = spent.iter().map(|s| s.1).sum();
    *extraction = Some(total / (spent.len() as u32 * 10).max(1));
    eprintln!("generated {} people in {:?}", spent.len(), timed.elapsed());
    let out: Vec<Person> = spent.into_iter().map(|s| s.0).collect();
    write_cache(&path, &out);
    out
}

fn read_cache(path: &Path, count: usize) -> Option<Vec<Person>> {
    let bytes = std::fs::read(path).ok()?;
    let mut out = Vec::with_capacity(count);
    let mut at = 0;
    while at < bytes.len() {
        let mut person = Vec::with_capacity(10);
        for _ in 0..10 {
            let len = u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
            person.push(bytes.get(at + 4..at + 4 + len)?.to_vec());
            at += 4 + len;
        }
        out.push(person);
    }
    (out.len() == count).then_some(out)
}

fn write_cache(path: &Path, people: &[Person]) {
    let mut bytes = Vec::new();
    for record in people.iter().flatten() {
        bytes.extend_from_slice(&(record.len() as u32).to_le_bytes());
        bytes.extend_from_slice(record);
    }
    if let Err(e) = std::fs::write(path, bytes) {
        eprintln!("could not cache {}: {e}", path.display());
    }
}

fn templates(person: &Person) -> Vec<(u8, Template)> {
    person.iter().filter_map(|r| Template::from_iso(r).ok().map(|(t, position, _)| (position, t))).collect()
}

fn digests(person: &Person, params: &DigestParams) -> Vec<(u8, Digest)> {
    templates(person).iter().map(|(p, t)| (*p, Digest::with(t, params))).collect()
}

fn gallery(people: &[Person], params: &DigestParams) -> Gallery<usize> {
    let digested = parallel_filter_map(people, |p| Some(digests(p, params)));
    let mut g = Gallery::default();
    for (id, fingers) in digested.into_iter().flatten().enumerate() {
        for (position, d) in fingers {
            g.insert(id, position, d);
        }
    }
    g
}

/// Where the true mate ranks in the shortlist of each returning probe (None: not in the first 100).
fn mate_ranks(g: &Gallery<usize>, returning: &[Person], params: &DigestParams) -> Vec<Option<usize>> {
    returning
        .iter()
        .enumerate()
        .map(|(id, p)| g.shortlist(&digests(p, params), 100, None).iter().position(|(c, _)| *c == id))
        .collect()
}

fn prepared(person: &Person) -> Vec<(u8, Prepared)> {
    templates(person).iter().map(|(p, t)| (*p, Prepared::new(t))).collect()
}

/// The full search of one probe: shortlist, then full comparisons; every shortlisted person's
/// score (the kit reports those at or above the threshold).
fn search(g: &Gallery<usize>, enrolled: &[Person], probe: &Person) -> Vec<(usize, f32)> {
    let mine = prepared(probe);
    let list = g.shortlist(&digests(probe, &DigestParams::default()), shortlist(), None);
    let scored = parallel_filter_map(&list, |(id, _)| Some((*id, person_score(&mine, &prepared(&enrolled[*id])).0)));
    scored.into_iter().flatten().collect()
}

fn quantile(v: &[f32], p: f32) -> f32 {
    v[((v.len() - 1) as f32 * p) as usize]
}

/// A real person: ten fingers, each with its impressions' records, from an FVC-style folder.
fn real_person(dir: &Path) -> Vec<Person> {
    let mut by_impression: std::collections::BTreeMap<u32, Vec<(u32, Vec<u8>)>> = Default::default();
    let mut fingers: Vec<u32> = Vec::new();
    let mut paths: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("a folder of prints").filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let parsed: Vec<(u32, u32, PathBuf)> = paths
        .into_iter()
        .filter_map(|p| {
            let stem = p.file_stem()?.to_str()?.to_string();
            let (f, i) = stem.split_once('_')?;
            Some((f.parse().ok()?, i.parse().ok()?, p))
        })
        .collect();
    for (f, _, _) in &parsed {
        if !fingers.contains(f) {
            fingers.push(*f);
        }
    }
    fingers.sort_unstable();
    fingers.truncate(10);
    let records = parallel_filter_map(&parsed, |(f, i, p)| {
        let position = fingers.iter().position(|x| x == f)? as u8 + 1;
        let img = image::open(p).ok()?.to_luma8();
        let (w, h) = img.dimensions();
        let g = kit_biometrics::Grey::new(w as usize, h as usize, img.into_raw())?;
        Some((*i, position, Template::of(&g).to_iso(position, 60)))
    });
    for (i, position, iso) in records.into_iter().flatten() {
        by_impression.entry(i).or_default().push((u32::from(position), iso));
    }
    by_impression
        .into_values()
        .map(|mut fs| {
            fs.sort_by_key(|(p, _)| *p);
            fs.into_iter().map(|(_, r)| r).collect()
        })
        .collect()
}

/// Real people enrolled among the generated ones and coming back: found, false alarms, newcomers.
fn real_people(folders: &[PathBuf], enrolled: &[Person]) {
    let real: Vec<Vec<Person>> = folders.iter().map(|d| real_person(d)).collect();
    // Gallery: the generated people, then every impression of every real person.
    let mut everyone: Vec<Person> = enrolled.to_vec();
    let mut owner: Vec<Option<usize>> = vec![None; enrolled.len()];
    for (k, person) in real.iter().enumerate() {
        for take in person {
            everyone.push(take.clone());
            owner.push(Some(k));
        }
    }
    let g = gallery(&everyone, &DigestParams::default());
    let (mut trials, mut found, mut alarms, mut outside) = (0, 0, 0, 0);
    let mut times = Vec::new();
    for (k, person) in real.iter().enumerate() {
        for probe in person {
            let started = Instant::now();
            let scored = search(&g, &everyone, probe);
            times.push(started.elapsed().as_secs_f32() * 1000.0);
            // The probe itself is in the gallery: leave that one enrollment out.
            let mine = |id: usize| owner[id] == Some(k) && everyone[id] != *probe;
            let others: Vec<usize> = (0..everyone.len()).filter(|&id| mine(id)).collect();
            trials += others.len();
            let hits: Vec<usize> = scored.iter().filter(|(_, s)| *s >= PERSON_THRESHOLD).map(|(c, _)| *c).collect();
            found += others.iter().filter(|id| hits.contains(id)).count();
            outside += others.iter().filter(|id| !scored.iter().any(|(c, _)| c == *id)).count();
            alarms += usize::from(hits.iter().any(|&c| owner[c] != Some(k)));
        }
    }
    println!(
        "real people ({} of them, {} probes): enrollments found {found} of {trials} ({:.1}%); outside the shortlist {outside}; probes flagging someone else {alarms}",
        real.len(),
        real.iter().map(Vec::len).sum::<usize>(),
        100.0 * found as f32 / trials.max(1) as f32
    );
    let g = gallery(enrolled, &DigestParams::default());
    let (mut probes, mut newcomer_alarms) = (0, 0);
    for person in &real {
        for probe in person {
            probes += 1;
            newcomer_alarms += usize::from(search(&g, enrolled, probe).iter().any(|(_, s)| *s >= PERSON_THRESHOLD));
        }
    }
    println!("real people as newcomers: {newcomer_alarms} of {probes} probes flagged against generated people");
    times.sort_by(f32::total_cmp);
    println!("search with real probes: median {:.1} ms, max {:.1} ms", quantile(&times, 0.5), times[times.len() - 1]);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sweep = args.iter().any(|a| a == "--sweep");
    if let Some(n) = args.iter().skip_while(|a| *a != "--shortlist").nth(1).and_then(|a| a.parse().ok()) {
        let _ = SHORTLIST.set(n);
    }
    let real: Vec<PathBuf> = args
        .iter()
        .skip_while(|a| *a != "--real")
        .skip(1)
        .take_while(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .collect();
    let numbers: Vec<u64> = args.iter().take_while(|a| !a.starts_with("--")).filter_map(|a| a.parse().ok()).collect();
    let (n, returning_n, newcomers_n) = (
        numbers.first().copied().unwrap_or(10_000),
        numbers.get(1).copied().unwrap_or(1000),
        numbers.get(2).copied().unwrap_or(1000),
    );
    let returning_n = returning_n.min(n);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/dedup-bench");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("could not make {}: {e}", dir.display());
    }
    let mut extraction = None;
    let enrolled = people(&dir, 0, n, 0, &mut extraction);
    let returning = people(&dir, 0, returning_n, 1, &mut extraction);
    let newcomers = people(&dir, n, n + newcomers_n, 1, &mut extraction);
    if let Some(e) = extraction {
        println!("template extraction: {e:?} per 256×288 print (this run's generation)");
    }

    if !real.is_empty() {
        real_people(&real, &enrolled);
    }

    if sweep {
        for neighbours in [3, 5, 9] {
            for length_bin in [6.0, 8.0, 12.0] {
                for angle_bins in [12, 16, 24] {
                    let params = DigestParams { neighbours, length_bin, angle_bins };
                    let g = gallery(&enrolled, &params);
                    let ranks = mate_ranks(&g, &returning, &params);
                    let within = |k: usize| ranks.iter().filter(|r| r.is_some_and(|r| r < k)).count();
                    println!(
                        "{params:?}: mate first {} · top 5 {} · top 20 {} · top 100 {} of {}",
                        within(1),
                        within(5),
                        within(20),
                        within(100),
                        ranks.len()
                    );
                }
            }
        }
    }

    let started = Instant::now();
    let g = gallery(&enrolled, &DigestParams::default());
    let digested = started.elapsed();
    let keys: usize = enrolled.iter().flat_map(|p| digests(p, &DigestParams::default())).map(|(_, d)| d.len()).sum();
    println!(
        "gallery of {} people digested in {:?} (ISO records parsed, all cores); {:.1} MB of digests ({:.0} keys a finger)",
        g.len(),
        digested,
        (keys * 2) as f64 / 1e6,
        keys as f64 / (g.len() * 10).max(1) as f64
    );
    let ranks = mate_ranks(&g, &returning, &DigestParams::default());
    let outside = ranks.iter().filter(|r| r.is_none_or(|r| r >= shortlist())).count();
    println!("true mate outside the shortlist of {}: {outside} of {}", shortlist(), ranks.len());

    let mut times = Vec::new();
    let (mut found, mut wrong_people, mut newcomer_alarms) = (0, 0, 0);
    let mut genuine_person = Vec::new();
    let mut impostor_person = Vec::new();
    let flagged = |scored: Vec<(usize, f32)>| -> Vec<(usize, f32)> {
        scored.into_iter().filter(|(_, s)| *s >= PERSON_THRESHOLD).collect()
    };
    for (id, probe) in returning.iter().enumerate() {
        let started = Instant::now();
        let scored = search(&g, &enrolled, probe);
        times.push(started.elapsed().as_secs_f32() * 1000.0);
        impostor_person.extend(scored.iter().filter(|(c, _)| *c != id).map(|(_, s)| *s).reduce(f32::max));
        let hits = flagged(scored);
        if let Some((_, s)) = hits.iter().find(|(c, _)| *c == id) {
            found += 1;
            genuine_person.push(*s);
        }
        wrong_people += hits.iter().filter(|(c, _)| *c != id).count().min(1);
    }
    for probe in &newcomers {
        let started = Instant::now();
        let scored = search(&g, &enrolled, probe);
        times.push(started.elapsed().as_secs_f32() * 1000.0);
        impostor_person.extend(scored.iter().map(|(_, s)| *s).reduce(f32::max));
        let hits = flagged(scored);
        newcomer_alarms += usize::from(!hits.is_empty());
    }
    times.sort_by(f32::total_cmp);
    println!(
        "search, ten-finger probe against {n} people: median {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        quantile(&times, 0.5),
        quantile(&times, 0.99),
        times[times.len() - 1]
    );
    println!(
        "returning people found: {found} of {returning_n} ({:.2}%); flagged against someone else: {wrong_people}",
        100.0 * found as f32 / returning_n.max(1) as f32
    );
    println!(
        "newcomers flagged (false alarms): {newcomer_alarms} of {newcomers_n} ({:.2}%)",
        100.0 * newcomer_alarms as f32 / newcomers_n.max(1) as f32
    );

    single_finger("typical impressions", &returning, &enrolled);
    let harsh_n = returning_n.min(1000);
    let harsh_enrolled = people_of(&dir, 0, harsh_n, 0, Kind::Harsh, &mut None);
    let harsh_back = people_of(&dir, 0, harsh_n, 1, Kind::Harsh, &mut None);
    single_finger("harsh impressions", &harsh_back, &harsh_enrolled);
    // The same returning people pressing harshly, against the everyday gallery.
    let found_harsh = harsh_back
        .iter()
        .enumerate()
        .filter(|(id, probe)| search(&g, &enrolled, probe).iter().any(|(c, s)| c == id && *s >= PERSON_THRESHOLD))
        .count();
    println!(
        "returning people found when they press harshly: {found_harsh} of {} ({:.1}%)",
        harsh_back.len(),
        100.0 * found_harsh as f32 / harsh_back.len().max(1) as f32
    );
    if !impostor_person.is_empty() {
        impostor_person.sort_by(f32::total_cmp);
        println!(
            "best other person's score per probe: median {:.1}, p99 {:.1}, p99.9 {:.1}, max {:.1}",
            quantile(&impostor_person, 0.5),
            quantile(&impostor_person, 0.99),
            quantile(&impostor_person, 0.999),
            impostor_person[impostor_person.len() - 1]
        );
    }
    if !genuine_person.is_empty() {
        genuine_person.sort_by(f32::total_cmp);
        println!(
            "person scores of those found: min {:.1}, p10 {:.1}, median {:.1}",
            genuine_person[0],
            quantile(&genuine_person, 0.1),
            quantile(&genuine_person, 0.5)
        );
    }
}

/// Single-finger error rates: each returning finger against its mate, and against the same
/// finger of ten other people; the EER and where it falls.
fn single_finger(label: &str, returning: &[Person], enrolled: &[Person]) {
    let mut genuine = Vec::new();
    let mut impostor = Vec::new();
    for (id, probe) in returning.iter().enumerate() {
        let mine = prepared(probe);
        let theirs = prepared(&enrolled[id]);
        for ((pa, a), (pb, b)) in mine.iter().zip(&theirs) {
            if pa == pb {
                genuine.push(score_prepared(a, b));
            }
        }
        for k in 1..=10 {
            let other = prepared(&enrolled[(id + k * 97) % enrolled.len()]);
            for ((pa, a), (pb, b)) in mine.iter().zip(&other) {
                if pa == pb && (id + k * 97) % enrolled.len() != id {
                    impostor.push(score_prepared(a, b));
                }
            }
        }
    }
    genuine.sort_by(f32::total_cmp);
    impostor.sort_by(f32::total_cmp);
    let (mut eer, mut at) = (1.0f32, 0.0f32);
    for t in (0..=1000).map(|t| t as f32 / 10.0) {
        let fnmr = genuine.partition_point(|g| *g < t) as f32 / genuine.len().max(1) as f32;
        let fmr = (impostor.len() - impostor.partition_point(|i| *i < t)) as f32 / impostor.len().max(1) as f32;
        if (fnmr - fmr).abs() < eer {
            eer = (fnmr - fmr).abs();
            at = t;
        }
    }
    let fnmr = genuine.partition_point(|g| *g < at) as f32 / genuine.len().max(1) as f32;
    let fmr = (impostor.len() - impostor.partition_point(|i| *i < at)) as f32 / impostor.len().max(1) as f32;
    println!(
        "single finger, {label}: {} genuine, {} impostor comparisons; EER {:.2}% at score {at:.1} (FNMR {:.2}%, FMR {:.2}%)",
        genuine.len(),
        impostor.len(),
        50.0 * (fnmr + fmr),
        100.0 * fnmr,
        100.0 * fmr
    );
}
