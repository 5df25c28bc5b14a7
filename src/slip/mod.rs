//! The acknowledgement slip handed to the applicant: RID, name, date, centre, the RID as a QR
//! code, in English and Kiswahili, and a TRAINING watermark on a training record.

mod pdf;

use crate::packet::manifest::PacketJson;
use qrcode::{Color, EcLevel, QrCode};
use thiserror::Error;

/// The slip could not be made.
#[derive(Debug, Error)]
#[error("the acknowledgement slip could not be made: {0}")]
pub struct SlipError(String);

/// A5 portrait, in points.
const PAGE: (f32, f32) = (420.0, 595.0);
const INK: [f32; 3] = [0.0, 0.0, 0.0];
const GREY: [f32; 3] = [0.35, 0.35, 0.35];
const RED: [f32; 3] = [0.8, 0.1, 0.1];

/// The slip for a sealed packet, as PDF bytes.
pub fn acknowledgement(packet: &PacketJson, zone: chrono_tz::Tz) -> Result<Vec<u8>, SlipError> {
    let mut page = pdf::Page::new(PAGE.0, PAGE.1);
    if packet.training {
        page.rotated_text(70.0, 150.0, 50.0, 64.0, [0.95, 0.75, 0.75], "TRAINING");
        page.text(30.0, 570.0, 11.0, true, RED, "TRAINING RECORD - NOT A REGISTRATION");
        page.text(30.0, 556.0, 11.0, true, RED, "REKODI YA MAFUNZO - SI USAJILI");
    }
    page.text(30.0, 530.0, 18.0, true, INK, "Registration acknowledgement");
    page.text(30.0, 512.0, 13.0, false, GREY, "Stakabadhi ya usajili");

    let rid = &packet.rid;
    let grouped = if rid.len() == 29 {
        [&rid[0..5], &rid[5..10], &rid[10..15], &rid[15..23], &rid[23..29]].join(" ")
    } else {
        rid.clone()
    };
    let person = &packet.person;
    // The day the person was there, as they count days (the RID's own date stays UTC).
    let date = crate::kit::time::local(&packet.created_at, zone).map_or_else(
        || packet.created_at.get(..10).unwrap_or(&packet.created_at).to_string(),
        |t| t.format("%Y-%m-%d").to_string(),
    );
    let date = date.as_str();
    let mut y = 470.0;
    for (en, sw, value, size) in [
        ("Registration ID (RID)", "Nambari ya usajili", grouped.as_str(), 15.0),
        ("Name", "Jina", &person.display_name(), 13.0),
        ("Date", "Tarehe", date, 13.0),
        ("Centre / kit", "Kituo / kifaa", &format!("{} / {}", packet.kit.centre, packet.kit.kit), 13.0),
    ] {
        page.text(30.0, y, 10.0, false, GREY, &format!("{en} / {sw}"));
        page.text(30.0, y - 18.0, size, true, INK, value);
        y -= 50.0;
    }

    let code = QrCode::with_error_correction_level(rid.as_bytes(), EcLevel::M).map_err(|e| SlipError(e.to_string()))?;
    let modules = code.width();
    let side = 150.0;
    let cell = side / modules as f32;
    let (left, bottom) = ((PAGE.0 - side) / 2.0, 60.0);
    for (i, color) in code.to_colors().into_iter().enumerate() {
        if color == Color::Dark {
            let (col, row) = (i % modules, i / modules);
            page.rect(left + col as f32 * cell, bottom + side - (row + 1) as f32 * cell, cell, cell);
        }
    }
    page.text(30.0, 38.0, 9.0, false, GREY, "Keep this slip: quote your RID at the registration office.");
    page.text(30.0, 26.0, 9.0, false, GREY, "Hifadhi stakabadhi hii: taja RID yako ofisini mwa usajili.");
    Ok(page.finish())
}
