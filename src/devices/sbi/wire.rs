//! SBI 0.9.5's messages as they travel: verbs and paths from one table (so that a 1.0 profile,
//! SBIDISC/SBIINFO, is a second table), and fields read leniently because devices send numbers
//! as strings and strings as numbers. Everything here is what a peer controls.

use serde::{Deserialize, Deserializer, Serialize};

/// The protocol version the kit speaks and requires.
pub const SPEC_VERSION: &str = "0.9.5";
/// The ports SBI services listen on, on 127.0.0.1.
pub const PORTS: std::ops::RangeInclusive<u16> = 4501..=4600;

/// One call: the HTTP method and path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verb {
    /// The (custom) HTTP method.
    pub method: &'static str,
    /// The path.
    pub path: &'static str,
}

/// The verbs of one SBI version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verbs {
    /// Discovery.
    pub discover: Verb,
    /// Device information.
    pub info: Verb,
    /// Registration capture.
    pub rcapture: Verb,
    /// Preview stream.
    pub stream: Verb,
}

/// SBI 0.9.5 (what is deployed).
pub const SBI_095: Verbs = Verbs {
    discover: Verb { method: "MOSIPDISC", path: "/device" },
    info: Verb { method: "MOSIPDINFO", path: "/info" },
    rcapture: Verb { method: "RCAPTURE", path: "/capture" },
    stream: Verb { method: "STREAM", path: "/stream" },
};

/// A string field that a device may send as a string, a number, or not at all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Text(match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => match n.as_f64() {
                // "44.0" from a Java float is the integer 44.
                Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
                _ => n.to_string(),
            },
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Null => String::new(),
            _ => return Err(serde::de::Error::custom("expected a string or a number")),
        }))
    }
}

impl Text {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The value as a whole number 0–100 ("44", "44.0", 44).
    pub fn score(&self) -> Option<u8> {
        let f: f64 = self.0.trim().parse().ok()?;
        (0.0..=100.0).contains(&f).then(|| f.round() as u8)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(s.to_string())
    }
}

/// An SBI error object (code "0" is success).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The code, 0 when all is well.
    #[serde(rename = "errorCode", default)]
    pub code: Text,
    /// The device's words.
    #[serde(rename = "errorInfo", default)]
    pub info: Text,
}

impl ErrorBody {
    /// Success.
    pub fn ok() -> Self {
        ErrorBody { code: "0".into(), info: "Success".into() }
    }
    /// An error.
    pub fn new(code: u16, info: &str) -> Self {
        ErrorBody { code: Text(code.to_string()), info: info.into() }
    }
    /// Whether it says success.
    pub fn is_ok(&self) -> bool {
        self.code.as_str().trim() == "0" || self.code.as_str().is_empty()
    }
}

/// The discovery request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DiscoverRequest {
    /// "Biometric Device", "Finger", "Face" or "Iris".
    #[serde(rename = "type")]
    pub kind: String,
}

/// One device in a discovery answer.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Discovered {
    pub device_id: Text,
    pub device_status: Text,
    pub certification: Text,
    pub service_version: Text,
    pub device_sub_id: Vec<Text>,
    pub callback_id: Text,
    pub digital_id: Text,
    pub device_code: Text,
    pub spec_version: Vec<Text>,
    pub purpose: Text,
    pub error: ErrorBody,
}

/// One entry of a device-info answer: a JWS (or, unregistered, its bare payload).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InfoEntry {
    /// The signed device information.
    pub device_info: Text,
    /// Its status.
    pub error: ErrorBody,
}

/// The signed device information's payload.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeviceInfo {
    pub device_status: Text,
    pub device_id: Text,
    pub firmware: Text,
    pub certification: Text,
    pub service_version: Text,
    pub device_sub_id: Vec<Text>,
    pub callback_id: Text,
    pub digital_id: Text,
    pub device_code: Text,
    pub env: Text,
    pub purpose: Text,
    pub spec_version: Vec<Text>,
}

/// Who made the device: the signed digital id's payload.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DigitalId {
    pub serial_no: Text,
    pub make: Text,
    pub model: Text,
    #[serde(rename = "type")]
    pub kind: Text,
    pub device_sub_type: Text,
    pub device_provider: Text,
    pub device_provider_id: Text,
    pub date_time: Text,
}

impl DigitalId {
    /// The field that is empty, if one is: all eight are required.
    pub fn missing(&self) -> Option<&'static str> {
        [
            ("serialNo", &self.serial_no),
            ("make", &self.make),
            ("model", &self.model),
            ("type", &self.kind),
            ("deviceSubType", &self.device_sub_type),
            ("deviceProvider", &self.device_provider),
            ("deviceProviderId", &self.device_provider_id),
            ("dateTime", &self.date_time),
        ]
        .into_iter()
        .find(|(_, v)| v.as_str().trim().is_empty())
        .map(|(k, _)| k)
    }
}

/// A registration capture request.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CaptureRequest {
    pub env: Text,
    pub purpose: Text,
    pub spec_version: Text,
    pub timeout: Text,
    pub capture_time: Text,
    pub transaction_id: Text,
    pub bio: Vec<BioRequest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_opts: Option<serde_json::Value>,
}

/// What one capture asks of the device.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BioRequest {
    #[serde(rename = "type")]
    pub kind: Text,
    pub count: Text,
    pub bio_sub_type: Option<Vec<Text>>,
    pub exception: Vec<Text>,
    pub requested_score: Text,
    pub device_id: Text,
    pub device_sub_id: Text,
    pub previous_hash: Option<Text>,
}

/// A registration capture answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaptureResponse {
    /// One element per finger or face.
    pub biometrics: Vec<Biometric>,
}

/// One captured biometric: the signed data and its place in the hash chain.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Biometric {
    pub spec_version: Text,
    pub data: Text,
    pub hash: Text,
    pub error: ErrorBody,
}

/// The signed data's payload.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CapturePayload {
    pub digital_id: Text,
    pub device_code: Text,
    pub device_service_version: Text,
    pub bio_type: Text,
    pub bio_sub_type: Text,
    pub purpose: Text,
    pub env: Text,
    pub bio_value: Text,
    pub transaction_id: Text,
    pub timestamp: Text,
    pub requested_score: Text,
    pub quality_score: Text,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_come_as_strings_or_numbers_and_scores_as_floats() {
        let d: Discovered = serde_json::from_str(
            r#"{"deviceId":2,"deviceSubId":["1",2,3],"specVersion":["0.9.5"],"error":{"errorCode":0,"errorInfo":"Success"}}"#,
        )
        .unwrap();
        assert_eq!(d.device_id.as_str(), "2");
        assert_eq!(d.device_sub_id, vec![Text::from("1"), Text::from("2"), Text::from("3")]);
        assert!(d.error.is_ok());
        let p: CapturePayload = serde_json::from_str(r#"{"qualityScore":44.0,"requestedScore":"40"}"#).unwrap();
        assert_eq!(p.quality_score.score(), Some(44));
        assert_eq!(Text::from("101").score(), None);
        assert!(serde_json::from_str::<Discovered>(r#"{"deviceId":{"a":1}}"#).is_err());
    }
}
