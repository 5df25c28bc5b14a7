//! A small evaluator for OpenCV's Haar cascades (the `opencv-cascade-classifier` XML format
//! with upright features and stump stages, as in `haarcascade_eye.xml`): the detector slides
//! the cascade's window over an image pyramid, normalises each window by its standard
//! deviation as OpenCV does, and groups overlapping hits.

use crate::{Grey, Plane};

/// A rectangle in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left.
    pub x: f32,
    /// Top.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
}

impl Rect {
    /// Its centre.
    pub fn centre(&self) -> (f32, f32) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
}

struct Feature {
    rects: Vec<(i32, i32, i32, i32, f32)>,
}

struct Stump {
    feature: usize,
    threshold: f32,
    left: f32,
    right: f32,
}

struct Stage {
    threshold: f32,
    stumps: Vec<Stump>,
}

/// A parsed cascade.
pub struct Cascade {
    width: i32,
    height: i32,
    stages: Vec<Stage>,
    features: Vec<Feature>,
}

/// Why a cascade file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CascadeError(pub String);

impl std::fmt::Display for CascadeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "not a usable Haar cascade: {}", self.0)
    }
}

impl std::error::Error for CascadeError {}

/// The text between the first `<tag>` and its `</tag>` at or after `from`.
fn tag<'a>(text: &'a str, name: &str, from: usize) -> Option<(&'a str, usize)> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = text[from..].find(&open)? + from + open.len();
    let end = text[start..].find(&close)? + start;
    Some((&text[start..end], end + close.len()))
}

/// Each `<_>…</_>` item directly inside `block` (items may nest).
fn items(block: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    let mut i = 0;
    let bytes = block.as_bytes();
    while i < bytes.len() {
        if block[i..].starts_with("<_>") {
            if depth == 0 {
                start = i + 3;
            }
            depth += 1;
            i += 3;
        } else if block[i..].starts_with("</_>") {
            depth -= 1;
            if depth == 0 {
                out.push(&block[start..i]);
            }
            i += 4;
        } else {
            i += 1;
        }
    }
    out
}

fn numbers(text: &str) -> Result<Vec<f32>, CascadeError> {
    text.split_whitespace()
        .map(|n| n.trim_end_matches('.').parse::<f32>().or_else(|_| n.parse::<f32>()))
        .collect::<Result<_, _>>()
        .map_err(|e| CascadeError(format!("a number did not parse ({e})")))
}

impl std::fmt::Debug for Cascade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cascade({}x{}, {} stages)", self.width, self.height, self.stages.len())
    }
}

impl Cascade {
    /// Parses the XML text of an OpenCV cascade.
    pub fn parse(xml: &str) -> Result<Cascade, CascadeError> {
        let missing = |what: &str| CascadeError(format!("no <{what}>"));
        if !xml.contains("<featureType>HAAR</featureType>") || !xml.contains("<stageType>BOOST</stageType>") {
            return Err(CascadeError("only boosted Haar cascades are supported".into()));
        }
        if xml.contains("<tilted>1</tilted>") {
            return Err(CascadeError("tilted features are not supported".into()));
        }
        let width = tag(xml, "width", 0).ok_or_else(|| missing("width"))?.0.trim().parse::<i32>();
        let height = tag(xml, "height", 0).ok_or_else(|| missing("height"))?.0.trim().parse::<i32>();
        let (Ok(width), Ok(height)) = (width, height) else { return Err(CascadeError("bad window size".into())) };
        let (stages_text, _) = tag(xml, "stages", 0).ok_or_else(|| missing("stages"))?;
        let (features_text, _) = tag(xml, "features", 0).ok_or_else(|| missing("features"))?;
        let mut stages = Vec::new();
        for stage in items(stages_text) {
            let threshold = numbers(tag(stage, "stageThreshold", 0).ok_or_else(|| missing("stageThreshold"))?.0)?;
            let (weak, _) = tag(stage, "weakClassifiers", 0).ok_or_else(|| missing("weakClassifiers"))?;
            let mut stumps = Vec::new();
            for w in items(weak) {
                let nodes = numbers(tag(w, "internalNodes", 0).ok_or_else(|| missing("internalNodes"))?.0)?;
                let leaves = numbers(tag(w, "leafValues", 0).ok_or_else(|| missing("leafValues"))?.0)?;
                if nodes.len() != 4 || leaves.len() != 2 {
                    return Err(CascadeError("only stumps (one split, two leaves) are supported".into()));
                }
                stumps.push(Stump {
                    feature: nodes[2] as usize,
                    threshold: nodes[3],
                    left: leaves[0],
                    right: leaves[1],
                });
            }
            stages.push(Stage { threshold: threshold.first().copied().unwrap_or(0.0), stumps });
        }
        let mut features = Vec::new();
        for f in items(features_text) {
            let (rects_text, _) = tag(f, "rects", 0).ok_or_else(|| missing("rects"))?;
            let mut rects = Vec::new();
            for r in items(rects_text) {
                let v = numbers(r)?;
                if v.len() != 5 {
                    return Err(CascadeError("a feature rectangle needs x y w h weight".into()));
                }
                rects.push((v[0] as i32, v[1] as i32, v[2] as i32, v[3] as i32, v[4]));
            }
            features.push(Feature { rects });
        }
        if stages.is_empty() || stages.iter().flat_map(|s| &s.stumps).any(|s| s.feature >= features.len()) {
            return Err(CascadeError("stages refer to features that are not there".into()));
        }
        Ok(Cascade { width, height, stages, features })
    }

    /// Objects in `img` between `min` and `max` pixels wide: hits grouped, each group kept when
    /// at least `neighbours` windows agree (OpenCV's minNeighbors), strongest groups first.
    pub fn detect(&self, img: &Grey, min: f32, max: f32, neighbours: usize) -> Vec<Rect> {
        let mut hits = Vec::new();
        let mut scale = (min / self.width as f32).max(1.0);
        while self.width as f32 * scale
            <= max.min(img.width as f32).min(img.height as f32 * self.width as f32 / self.height as f32)
        {
            let sw = ((img.width as f32 / scale) as usize).max(1);
            let sh = ((img.height as f32 / scale) as usize).max(1);
            if sw < self.width as usize || sh < self.height as usize {
                break;
            }
            let small = resize(img, sw, sh);
            let integral = Integral::new(&small);
            // One-pixel steps on the finest level, two on the coarser ones (as OpenCV does).
            let step = if scale > 2.0 { 1 } else { 2 };
            for y in (0..=(sh as i32 - self.height)).step_by(step) {
                for x in (0..=(sw as i32 - self.width)).step_by(step) {
                    if self.accepts(&integral, x, y) {
                        hits.push(Rect {
                            x: x as f32 * scale,
                            y: y as f32 * scale,
                            w: self.width as f32 * scale,
                            h: self.height as f32 * scale,
                        });
                    }
                }
            }
            scale *= 1.15;
        }
        group(hits, neighbours)
    }

    fn accepts(&self, ii: &Integral, x: i32, y: i32) -> bool {
        // OpenCV normalises by the window's standard deviation over the window less a 1 px border.
        let (nx, ny, nw, nh) = (x + 1, y + 1, self.width - 2, self.height - 2);
        let area = (nw * nh) as f64;
        let sum = ii.sum(nx, ny, nw, nh);
        let sq = ii.sq_sum(nx, ny, nw, nh);
        let nf = area * sq - sum * sum;
        let nf = if nf > 0.0 { nf.sqrt() as f32 } else { 1.0 };
        for stage in &self.stages {
            let mut total = 0.0f32;
            for stump in &stage.stumps {
                let f = &self.features[stump.feature];
                let value: f32 =
                    f.rects.iter().map(|&(rx, ry, rw, rh, wgt)| wgt * ii.sum(x + rx, y + ry, rw, rh) as f32).sum();
                total += if value < stump.threshold * nf { stump.left } else { stump.right };
            }
            if total < stage.threshold {
                return false;
            }
        }
        true
    }
}

/// Summed-area tables of values and squares.
struct Integral {
    w: usize,
    sum: Vec<f64>,
    sq: Vec<f64>,
}

impl Integral {
    fn new(img: &Grey) -> Self {
        let w = img.width + 1;
        let mut sum = vec![0.0; w * (img.height + 1)];
        let mut sq = vec![0.0; w * (img.height + 1)];
        for y in 0..img.height {
            let (mut row, mut row_sq) = (0.0, 0.0);
            for x in 0..img.width {
                let v = f64::from(img.pixels[y * img.width + x]);
                row += v;
                row_sq += v * v;
                sum[(y + 1) * w + x + 1] = sum[y * w + x + 1] + row;
                sq[(y + 1) * w + x + 1] = sq[y * w + x + 1] + row_sq;
            }
        }
        Integral { w, sum, sq }
    }

    fn rect(table: &[f64], w: usize, x: i32, y: i32, rw: i32, rh: i32) -> f64 {
        let (x0, y0, x1, y1) = (x as usize, y as usize, (x + rw) as usize, (y + rh) as usize);
        table[y1 * w + x1] - table[y0 * w + x1] - table[y1 * w + x0] + table[y0 * w + x0]
    }

    fn sum(&self, x: i32, y: i32, rw: i32, rh: i32) -> f64 {
        Self::rect(&self.sum, self.w, x, y, rw, rh)
    }

    fn sq_sum(&self, x: i32, y: i32, rw: i32, rh: i32) -> f64 {
        Self::rect(&self.sq, self.w, x, y, rw, rh)
    }
}

/// Area-averaging resize (good enough for shrinking into a pyramid).
pub fn resize(img: &Grey, w: usize, h: usize) -> Grey {
    if w == img.width && h == img.height {
        return img.clone();
    }
    let (fx, fy) = (img.width as f32 / w as f32, img.height as f32 / h as f32);
    let plane: Plane =
        if fx > 1.5 { crate::filters::box_blur(&img.to_plane(), (fx / 2.0) as usize) } else { img.to_plane() };
    let mut out = Plane::new(w, h, 0.0);
    for y in 0..h {
        for x in 0..w {
            out.data[y * w + x] = plane.sample((x as f32 + 0.5) * fx - 0.5, (y as f32 + 0.5) * fy - 0.5, 0.0);
        }
    }
    out.to_grey()
}

/// Groups hits whose size and position agree within 20% (OpenCV's groupRectangles, eps 0.2),
/// keeps groups of at least `neighbours`, averages each, largest groups first.
fn group(hits: Vec<Rect>, neighbours: usize) -> Vec<Rect> {
    let similar = |a: &Rect, b: &Rect| {
        let delta = 0.2 * 0.5 * (a.w.min(b.w) + a.h.min(b.h));
        (a.x - b.x).abs() <= delta
            && (a.y - b.y).abs() <= delta
            && (a.x + a.w - b.x - b.w).abs() <= delta
            && (a.y + a.h - b.y - b.h).abs() <= delta
    };
    let mut label: Vec<usize> = (0..hits.len()).collect();
    fn root(label: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while label[r] != r {
            r = label[r];
        }
        label[i] = r;
        r
    }
    for i in 0..hits.len() {
        for j in i + 1..hits.len() {
            if similar(&hits[i], &hits[j]) {
                let (a, b) = (root(&mut label, i), root(&mut label, j));
                label[a] = b;
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<Rect>> = std::collections::BTreeMap::new();
    for (i, hit) in hits.iter().enumerate() {
        let r = root(&mut label, i);
        groups.entry(r).or_default().push(*hit);
    }
    let mut out: Vec<(usize, Rect)> = groups
        .into_values()
        .filter(|g| g.len() >= neighbours)
        .map(|g| {
            let n = g.len() as f32;
            let avg = |f: fn(&Rect) -> f32| g.iter().map(f).sum::<f32>() / n;
            (g.len(), Rect { x: avg(|r| r.x), y: avg(|r| r.y), w: avg(|r| r.w), h: avg(|r| r.h) })
        })
        .collect();
    out.sort_by_key(|g| std::cmp::Reverse(g.0));
    out.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_cascades_are_refused_with_a_reason() {
        assert!(Cascade::parse("<opencv_storage/>").is_err());
        let no_stages =
            "<stageType>BOOST</stageType><featureType>HAAR</featureType><width>20</width><height>20</height>";
        assert!(Cascade::parse(no_stages).unwrap_err().to_string().contains("stages"));
    }

    #[test]
    fn the_shipped_eye_cascade_parses() {
        let c = Cascade::parse(super::super::EYE_CASCADE).unwrap();
        assert_eq!((c.width, c.height, c.stages.len()), (20, 20, 24));
    }
}
