//! Colours, sizes and spacing: the one place they are set. Large targets for touch screens
//! and tired eyes at the end of a field day.

use egui::{Color32, FontId, TextStyle};

/// Minimum height of anything a person taps.
pub const TARGET_HEIGHT: f32 = 44.0;
/// Width of the main column of forms.
pub const COLUMN_WIDTH: f32 = 560.0;
/// The TRAINING banner's background.
pub const TRAINING: Color32 = Color32::from_rgb(0xC6, 0x28, 0x28);
/// Text on the TRAINING banner.
pub const ON_TRAINING: Color32 = Color32::WHITE;
/// The bar of a training scenario under way: pale amber, below the training banner.
pub const SCENARIO: Color32 = Color32::from_rgb(0xFF, 0xEC, 0xB3);
/// Messages that need action.
pub const ERROR: Color32 = Color32::from_rgb(0xB7, 0x1C, 0x1C);
/// Good news.
pub const OK: Color32 = Color32::from_rgb(0x1B, 0x5E, 0x20);
/// The primary action's fill.
pub const PRIMARY: Color32 = Color32::from_rgb(0x00, 0x5A, 0x9C);

/// Applies the kit's style to a context. Light, for screens read outdoors in daylight.
pub fn apply(ctx: &egui::Context) {
    ctx.set_theme(egui::Theme::Light);
    ctx.all_styles_mut(|style| {
        style.text_styles.insert(TextStyle::Body, FontId::proportional(18.0));
        style.text_styles.insert(TextStyle::Button, FontId::proportional(18.0));
        style.text_styles.insert(TextStyle::Heading, FontId::proportional(26.0));
        style.text_styles.insert(TextStyle::Small, FontId::proportional(14.0));
        style.spacing.interact_size.y = TARGET_HEIGHT;
        style.spacing.button_padding = egui::vec2(16.0, 10.0);
        style.spacing.item_spacing = egui::vec2(10.0, 12.0);
    });
}

/// A large primary button.
pub fn primary_button(ui: &mut egui::Ui, text: &str) -> egui::Response {
    ui.add(
        egui::Button::new(egui::RichText::new(text).size(22.0).color(Color32::WHITE))
            .fill(PRIMARY)
            .min_size(egui::vec2(COLUMN_WIDTH.min(ui.available_width()), TARGET_HEIGHT * 1.4)),
    )
}

/// A button as large as [`primary_button`] without its colour: swapping one for the other in a
/// row moves nothing beside it.
pub fn secondary_button(ui: &mut egui::Ui, text: &str) -> egui::Response {
    ui.add(
        egui::Button::new(egui::RichText::new(text).size(22.0))
            .min_size(egui::vec2(COLUMN_WIDTH.min(ui.available_width()), TARGET_HEIGHT * 1.4)),
    )
}

/// Width of the step bar's main button: the same for every step, so it never moves.
pub const BAR_PRIMARY_WIDTH: f32 = 280.0;

/// The step bar's main button (Next, Capture, Sign and save…): filled, at the bar's right end.
pub fn bar_primary(ui: &mut egui::Ui, text: &str) -> egui::Response {
    ui.add(
        egui::Button::new(egui::RichText::new(text).size(22.0).color(Color32::WHITE))
            .fill(PRIMARY)
            .min_size(egui::vec2(BAR_PRIMARY_WIDTH, TARGET_HEIGHT * 1.2)),
    )
}

/// A step bar button beside the main one, as tall.
pub fn bar_button(ui: &mut egui::Ui, text: &str) -> egui::Response {
    ui.add(egui::Button::new(egui::RichText::new(text).size(20.0)).min_size(egui::vec2(0.0, TARGET_HEIGHT * 1.2)))
}

/// Widest a table's column heading grows before it wraps: a long Kiswahili heading ("Ubora wa
/// chini wa alama") must not push the last columns past a netbook's 1024 px.
pub const HEADING_WIDTH: f32 = 110.0;

/// A table's column heading, wrapped to [`HEADING_WIDTH`].
pub fn column_heading(ui: &mut egui::Ui, text: &str) {
    ui.scope(|ui| {
        ui.set_max_width(HEADING_WIDTH);
        ui.add(egui::Label::new(egui::RichText::new(text).strong()).wrap());
    });
}

/// Widest a table's last, free-text column grows before it wraps (a duplicate flag names a
/// 29-digit RID: it goes on a line of its own).
pub const CELL_WIDTH: f32 = 240.0;

/// A table cell's text in `color`, wrapped to [`CELL_WIDTH`].
pub fn cell_text(ui: &mut egui::Ui, text: &str, color: egui::Color32) {
    ui.scope(|ui| {
        ui.set_max_width(CELL_WIDTH);
        ui.add(egui::Label::new(egui::RichText::new(text).color(color)).wrap());
    });
}

/// The hand diagram: a finger with nothing recorded yet.
pub const FINGER_EMPTY: Color32 = Color32::from_rgb(0xE0, 0xE0, 0xE0);
/// A finger forced below the threshold (and a print's quality bar below it).
pub const FINGER_FORCED: Color32 = Color32::from_rgb(0xEF, 0x8F, 0x00);
/// A finger marked as an exception.
pub const FINGER_EXCEPTION: Color32 = Color32::from_rgb(0x79, 0x55, 0x48);
/// A finger's outline when it is not the one to place.
pub const FINGER_OUTLINE: Color32 = Color32::from_rgb(0x75, 0x75, 0x75);
/// How tall the fingerprint step's bar shows the print in view.
pub const PRINT_HEIGHT: f32 = 96.0;
/// The print's quality bar, under it.
pub const QUALITY_BAR_HEIGHT: f32 = 8.0;

/// Scrolls a widget the keyboard just moved to into view: Tab from field to field must never
/// leave the cursor in one scrolled away.
pub fn keep_in_view(response: &egui::Response) {
    if response.gained_focus() {
        response.scroll_to_me_animation(None, egui::style::ScrollAnimation::none());
    }
}

/// An error message with the next step.
pub fn error(ui: &mut egui::Ui, text: &str) {
    ui.label(egui::RichText::new(text).color(ERROR));
}
