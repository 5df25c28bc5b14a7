## enroll-kit, English. Every string on screen comes from here or sw.ftl; a test checks that both
## files have the same keys and that every key is used.

app-title = enroll-kit
training-banner = TRAINING — pilot mode: records are fake and never reach the register
language-en = English
language-sw = Kiswahili
logout = Log out
next = Next
back = Back

login-title = Log in to this kit
login-username = Login name
login-pin = PIN
login-button = Log in
login-wrong-pin = Wrong PIN. { $left } more wrong PINs lock the account for 5 minutes.
login-locked = Too many wrong PINs. Try again in { $minutes } min { $seconds } s, or ask the supervisor.
login-unknown = There is no account with this login name. Check it, or ask the supervisor.
login-disabled = This account is locked by the supervisor. Ask the supervisor to unlock it.
login-failed = Could not log in: { $detail }
pilot-accounts = Pilot accounts: trainee (PIN { $trainee }), supervisor (PIN { $supervisor }), trainer (PIN { $trainer }).

home-title = Home
home-welcome = Welcome, { $name }
home-today = Enrollments today on this kit: { $count }
home-drafts = Unfinished enrollments
home-draft-line = { $name } — stopped at { $step }, last saved { $at }
home-no-name = (no name yet)
home-resume = Resume
home-abandon = Abandon
home-start = Start a new enrollment
home-devices = Devices
home-reader = Fingerprint reader
home-camera = Camera
device-connecting = connecting…
device-connected = connected: { $detail }
device-failed = not connected: { $detail }
device-retry = Retry

step-consent = Consent
step-demographics = Personal details
step-face = Face photo
step-fingerprints = Fingerprints
step-review = Review

consent-title = Consent
consent-read-aloud = Read this to the applicant:
consent-text = The Government of Kenya will record your name, date of birth and other details, a photo of your face and your fingerprints, to register you in the national identity register. The record is sealed on this kit and sent to the registration office. It is used to confirm who you are and is protected by law. Do you agree?
consent-agree = The applicant agrees
consent-refuse = The applicant refuses
consent-refused = The applicant refused. Nothing was recorded; the refusal is in the log.
enrollment-coming = This step of the enrollment is not built yet.

validation-required = This field is required.
validation-name-characters = Use only letters, spaces, hyphens and apostrophes.
validation-too-long = Too long: at most 50 characters.
validation-unknown-choice = Choose one of the options.
validation-date-format = Write the date as YYYY-MM-DD (or the year YYYY if it is estimated).
validation-date-in-future = The date of birth cannot be in the future.
validation-too-old = This gives an age over 120 years: check the date.
validation-unknown-country = This is not a known country code.
validation-must-not-be-kenya = Choose a country other than Kenya.
validation-national-id-format = A national ID number has 7 or 8 digits.
validation-document-format = Use 1 to 20 letters and digits.
validation-kra-pin-format = A KRA PIN is a letter, 9 digits and a letter, for example A123456789Z.
validation-member-number-format = Use 6 to 12 digits.
validation-phone-format = Enter a Kenyan number (07…, 01…) or an international number starting with +.
validation-unknown-place = Choose a place inside the one chosen above it.
validation-not-for-this-citizenship = This does not apply to this citizenship.
validation-foreigner-needs-document = A foreign resident needs a passport or an alien ID number.
validation-minor-needs-guardian = A person under 18 needs a parent's or guardian's ID number or RID.
validation-guardian-id-format = Enter a national ID number (7 or 8 digits) or a RID (29 digits).
validation-abroad-only-for-citizens = Only Kenyan citizens register from abroad.

gap-no-consent = The applicant's consent is not recorded.
gap-demographics = Some personal details need correcting.
gap-no-face = Take the face photo.
gap-finger-missing = Every finger needs a print or an exception.
gap-no-exception-photo = A finger is marked as an exception: take the exception photo.
