//! The face checks over the face fixtures (fixtures/faces/, see its PROVENANCE.md) and variants
//! made from astronaut.png here, each by code that says how.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a panic is a failure with its line

use kit_biometrics::Grey;
use kit_biometrics::face::{FaceCheck, FaceChecker, FaceReport};
use kit_biometrics::filters::gaussian_blur;

fn fixture(name: &str) -> Grey {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/faces").join(name);
    let img = image::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).to_luma8();
    Grey::new(img.width() as usize, img.height() as usize, img.into_raw()).unwrap()
}

/// A `width`×`height` light grey canvas (a plain wall) with `img` pasted at (x, y), scaled by `scale`.
fn on_wall(img: &Grey, width: usize, height: usize, x: isize, y: isize, scale: f32) -> Grey {
    let src = img.to_plane();
    let mut out = vec![200u8; width * height];
    for oy in 0..height {
        for ox in 0..width {
            let sx = (ox as isize - x) as f32 / scale;
            let sy = (oy as isize - y) as f32 / scale;
            if sx >= 0.0 && sy >= 0.0 && sx < (img.width - 1) as f32 && sy < (img.height - 1) as f32 {
                out[oy * width + ox] = src.sample(sx, sy, 200.0).round() as u8;
            }
        }
    }
    Grey::new(width, height, out).unwrap()
}

/// The astronaut with everything outside an ellipse around her head and shoulders painted as a
/// plain light wall (the ellipse: centre (222, 150), half-axes 95 × 150 px, from her face box).
fn plain_background() -> Grey {
    let mut img = fixture("astronaut.png");
    for y in 0..img.height {
        for x in 0..img.width {
            let (dx, dy) = ((x as f32 - 222.0) / 95.0, (y as f32 - 150.0) / 150.0);
            if dx * dx + dy * dy > 1.0 {
                img.pixels[y * img.width + x] = 200;
            }
        }
    }
    img
}

fn check(img: &Grey) -> FaceReport {
    FaceChecker::new().unwrap().check(img)
}

#[test]
fn one_face_astronaut_is_found_with_her_eyes_level_and_only_the_busy_background_named() {
    let r = check(&fixture("astronaut.png"));
    assert_eq!(r.faces, 1);
    let ((lx, ly), (rx, ry)) = r.eyes.expect("both eyes");
    assert!(lx < rx && (ly - ry).abs() < 8.0 && (35.0..70.0).contains(&(rx - lx)), "{r:?}");
    assert_eq!(r.failed(), [FaceCheck::PlainBackground], "the flag and the shuttle behind her: {r:?}");
}

#[test]
fn against_a_plain_wall_every_check_passes() {
    let r = check(&plain_background());
    assert!(r.passed(), "{r:?}");
    assert_eq!(r.score, 100);
}

#[test]
fn no_face_in_chelsea_the_cat() {
    let r = check(&fixture("chelsea.png"));
    assert_eq!((r.faces, r.failed()), (0, vec![FaceCheck::OneFace]), "{r:?}");
}

#[test]
fn two_faces_side_by_side() {
    // Her head and shoulders (x 112..332, all rows) twice, side by side, on a wall.
    let a = plain_background();
    let mut two = vec![200u8; 440 * 512];
    for y in 0..512 {
        for x in 0..220 {
            let p = a.pixels[y * 512 + 112 + x];
            two[y * 440 + x] = p;
            two[y * 440 + 220 + x] = p;
        }
    }
    let r = check(&Grey::new(440, 512, two).unwrap());
    assert_eq!((r.faces, r.failed()), (2, vec![FaceCheck::OneFace]), "{r:?}");
}

#[test]
fn dark_blurred_off_centre_and_too_small_each_fail_their_own_check() {
    let plain = plain_background();
    // Dark: every pixel at a quarter of its value (an unlit room).
    let dark = Grey { pixels: plain.pixels.iter().map(|&p| p / 4).collect(), ..plain.clone() };
    // Blurred: a Gaussian of σ = 3 px (out of focus, or a moving head).
    let blurred = gaussian_blur(&plain.to_plane(), 3.0).to_grey();
    // Off-centre: shifted 170 px to the left (the applicant at the side of the frame).
    let off_centre = on_wall(&plain, 512, 512, -170, 0, 1.0);
    // Too small: scaled to 55% in the middle of a wall (the applicant too far away).
    let too_small = on_wall(&plain, 512, 512, 115, 115, 0.55);
    for (name, img, expected) in [
        ("dark", dark, FaceCheck::EnoughLight),
        ("blurred", blurred, FaceCheck::Sharp),
        ("off-centre", off_centre, FaceCheck::Centred),
        ("too small", too_small, FaceCheck::CloseEnough),
    ] {
        let r = check(&img);
        assert_eq!(r.faces, 1, "{name}: {r:?}");
        assert!(r.failed().contains(&expected), "{name} should fail {expected:?}: {r:?}");
        assert!(r.failed().len() <= 2, "{name} fails for its own reason, not everything: {r:?}");
    }
}
