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
login-wrong-pin = Wrong PIN. { $left } more wrong PINs lock the account for { $minutes } minutes.
login-wrong-pin-last = Wrong PIN. { $left } more wrong PINs lock the account until the supervisor unlocks it.
login-locked-supervisor = Too many wrong PINs again: the account is locked. Ask the supervisor to unlock it.
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
device-error-open = Cannot open the reader on { $port } ({ $detail }). Check the cable and press Retry; if it keeps happening, call the supervisor (this user may need the dialout group).
device-error-timeout = The reader did not answer within { $ms } ms. Check the cable and the power, then try again.
device-error-no-finger = No finger on the reader after { $seconds } s. Place the finger flat on the glass and try again.
device-error-finger-lifted = The finger was lifted too soon. Keep it on the glass until the capture is done.
device-error-garbled = The reader sent garbled data ({ $detail }). Try again; if it keeps happening, check the cable.
device-error-module = The reader reported an error: { $meaning } (code { $code }). Try again.
device-error-password = The reader refused its password. Call the supervisor: the device profile needs the reader's password, or the reader needs a reset.
device-error-no-answer = No answer from the reader (tried { $rates } baud). Check the cable and the power, and that this is the reader the kit expects.
device-error-disconnected = The reader was disconnected. Plug it back in and press Retry.
device-error-wrong-module = The reader answered as another module ({ $found }): a different reader is on this cable, or this one was set to another address. Check the cable goes to the kit's reader, or call the supervisor to reset it.
device-error-cancelled = Capture cancelled.
device-error-other = The reader cannot do this: { $detail }
device-error-start = The reader could not be started ({ $detail }). Close other programs and restart enroll-kit.
device-error-stopped = The reader stopped working. Restart enroll-kit.
device-error-not-connected = The reader is not connected. Press Retry.
sbi-error-not-found = No registration device service answered on ports { $first }–{ $last }. Start the scanner's service, check its cable, then press Retry.
sbi-error-unreachable = The scanner's service stopped answering. Check the cable, restart the scanner's service, then press Retry.
sbi-error-not-registered = This scanner is not registered with its device provider, so it cannot be used for registration. Use a registered scanner or call the supervisor.
sbi-error-not-ready = The scanner is not ready. Wait a moment, then press Retry.
sbi-error-busy = The scanner is busy with another capture. Wait for it to finish, then press Retry.
sbi-error-no-finger = The scanner saw no fingers in time. Place the fingers flat on the glass, then press Retry.
sbi-error-orientation = The hand was placed the wrong way round. Place the fingers pointing away from you, then press Retry.
sbi-error-tamper = The scanner reports that it was tampered with. Do not use it; call the supervisor.
sbi-error-device = The scanner reported error { $code }. Press Retry; if it happens again, restart the scanner's service.
sbi-error-untrusted = The scanner's signature was not accepted, so its prints were not kept. Call the supervisor: the scanner may not be one this kit trusts.
sbi-error-clock = The scanner's clock and the kit's clock differ by more than 5 minutes. Ask the supervisor to set the kit's date and time.
sbi-error-garbled = The scanner sent an answer the kit cannot use; nothing was kept. Press Retry; if it happens again, restart the scanner's service.
error-detail = Something went wrong: { $detail }
error-disk-full = The kit's disk is full: nothing was lost, but nothing more can be saved. Close the day (export) or ask the supervisor to free space, then try again.
error-db-busy = The kit is busy with another task (an export or a search). Wait a moment, then try again.
error-db-unwritable = The kit cannot write its database ({ $detail }). Nothing was lost. Restart enroll-kit; if it keeps happening, call the supervisor.
error-db-corrupt = The kit's database is damaged. Nothing was changed. Stop enrolling on this kit and call the supervisor.
error-forbidden = Your account may not do this. Ask the supervisor.
error-file-exists = { $path } already exists: choose another name (the kit never writes over a file).
error-write = Cannot write { $path } ({ $detail }). Check that the disk or stick has space and is not write-protected, then try again.

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

field-surname = Surname
field-first-name = First name
field-single-name = Name (the one name the applicant has)
field-single-name-check = The applicant has one name only
field-other-names = Other names
field-sex = Sex
field-date-of-birth = Date of birth (YYYY-MM-DD)
field-dob-estimated = Only the year of birth is known
details-year-only = { $year } (only the year is known)
field-citizenship = Citizenship
field-nationality = Nationality
field-national-id = National ID number
field-birth-certificate = Birth certificate number
field-passport = Passport number
field-alien-id = Alien ID number
field-kra-pin = KRA PIN
field-nhif = NHIF number
field-nssf = NSSF number
field-phone = Phone number
field-resides-abroad = Lives abroad (registering at a mission)
field-country-of-residence = Country of residence
field-county = County
field-sub-county = Sub-county
field-ward = Ward
field-guardian-id = Parent's or guardian's ID number or RID
field-guardian-name = Parent's or guardian's name
sex-male = Male
sex-female = Female
sex-intersex = Intersex
citizenship-birth = Kenyan by birth
citizenship-registration = Kenyan by registration
citizenship-foreign = Foreign resident
picker-no-match = Nothing matches: type less, or check the spelling
demographics-minor = Under 18: a parent's or guardian's ID number or RID is needed.
face-title = Face photo
face-instructions = Ask the applicant to look straight at the camera, without a hat or glasses, in front of the plain background.
face-capture = Take the photo
face-retake = Retake
face-taken = Photo taken. Check it, then go on or retake.
face-no-camera = No picture from the camera yet: check that it is connected (see the home screen), then retry.
face-checks-failed = The face checks could not start ({ $detail }). Take the photo by hand, checking it yourself.

fingers-title = Fingerprints
hand-right = Right hand
hand-left = Left hand
finger-right-thumb = Right thumb
finger-right-index = Right index
finger-right-middle = Right middle
finger-right-ring = Right ring
finger-right-little = Right little
finger-left-thumb = Left thumb
finger-left-index = Left index
finger-left-middle = Left middle
finger-left-ring = Left ring
finger-left-little = Left little
finger-empty = not taken
finger-quality = quality { $q }
finger-forced = quality { $q }, accepted
finger-exception = exception
fingers-place = Place the { $finger } flat on the reader, then press Capture.
fingers-take-left-slap = Take the left four
fingers-take-right-slap = Take the right four
fingers-take-thumbs = Take both thumbs
fingers-place-left-slap = Place the four fingers of the left hand flat on the scanner.
fingers-place-right-slap = Place the four fingers of the right hand flat on the scanner.
fingers-place-thumbs = Place both thumbs side by side on the scanner.
fingers-same-hand = { $new } matches { $earlier }, taken before: the same hand was put down twice. Nothing was kept; put the other hand down and take it again.
fingers-capture = Capture
fingers-cancel = Cancel
fingers-waiting = Waiting for the finger on the glass…
fingers-receiving = Receiving the image…
fingers-result = { $finger }: quality { $q } (needed { $min }), attempt { $n }
fingers-retry = The print is too faint or partial: clean the glass and the finger, press firmly, and capture again.
fingers-force = Accept this print anyway
fingers-force-reason = Why accept a poor print (for the supervisor)
fingers-mark-exception = Mark this finger as an exception
exception-amputated = Amputated
exception-injured = Injured or bandaged
exception-unable = Cannot be captured
exception-other = Other reason
exception-note = Note
fingers-exception-photo = Take the exception photo (the hand, showing the finger)
fingers-exception-photo-taken = Exception photo taken.
fingers-recapture = Capture this finger again
fingers-all-done = All ten fingers are done. Check them, then press Next.
fingers-no-print = No print of the { $finger } yet.
fingers-print-quality = quality { $q } (needed { $min })

review-sealing = Saving the enrollment… (a moment: the PIN is checked and the packet sealed)
review-change = Change
review-exception-photo = Exception photo
review-pin = Your PIN, to sign off this enrollment
review-sign = Sign and save
done-title = Enrollment saved
done-rid = Registration ID (RID)
done-slip = Acknowledgement slip ready to print: { $path }
done-slip-failed = The acknowledgement slip could not be written: { $detail }
done-next = Next applicant

# Supervisor: review, close the day, daily report
back-home = Back to home
home-supervisor = Supervisor
home-review = Review packets ({ $count } waiting)
home-close-day = Close the day (export)
home-report = Daily report
queue-title = Packets waiting for review
queue-empty = No packet is waiting for review.
queue-count = { $count ->
        [one] { $count } packet waiting
       *[other] { $count } packets waiting
    }. Open one by its RID to see everything in it.
queue-approve-all = Approve all clean packets ({ $count })
queue-confirm-all = Approve { $count ->
        [one] { $count } clean packet
       *[other] { $count } clean packets
    } without opening them? Clean means no forced print and no finger exception.
queue-confirm-yes = Yes, approve { $count }
queue-confirm-no = No, go back
queue-approved = Approved { $rid }.
queue-rejected = Rejected { $rid }.
queue-approved-all = Approved { $count ->
        [one] { $count } clean packet
       *[other] { $count } clean packets
    }.
queue-rid = RID
queue-name = Name
queue-time = Time
queue-assistant = Assistant
queue-quality = Lowest print quality
queue-flags = Flags
queue-open = Open this packet
queue-flag-forced = { $count ->
        [one] { $count } forced print
       *[other] { $count } forced prints
    }
queue-flag-exceptions = { $count ->
        [one] { $count } finger exception
       *[other] { $count } finger exceptions
    }
queue-flag-clean = clean
queue-back = Back to the list
queue-captured-by = Captured by { $assistant } at { $at }
queue-own = You captured this packet: another supervisor must review it.
queue-approve = Approve
queue-reason = Reason for rejecting
queue-choose-reason = Choose a reason…
queue-note = Note (what exactly is wrong; needed for "Other")
queue-reject = Reject
reason-poor-photo = Poor face photo
reason-poor-prints = Poor fingerprints
reason-wrong-details = Wrong or doubtful details
reason-suspected-duplicate = Suspected duplicate
reason-documents-or-consent = Documents or consent in doubt
reason-other = Other
close-title = Close the day
close-ready = { $count ->
        [one] { $count } approved packet is
       *[other] { $count } approved packets are
    } ready to export.
close-pending = { $count ->
        [one] { $count } packet still waits for review: it will not be in this batch.
       *[other] { $count } packets still wait for review: they will not be in this batch.
    }
close-destination = Where to write the batch
close-no-stick = No USB stick found. Insert one and press Refresh, or type a folder below.
close-drive = USB stick: { $path }
close-refresh = Refresh
close-folder = Folder
close-export = Export { $count ->
        [one] { $count } packet
       *[other] { $count } packets
    }
close-writing = Writing the batch to { $path }. Do not remove the stick.
close-progress = { $done } of { $total } packets
close-cancel = Cancel the export
close-cancelling = Cancelling…
close-exported = Exported { $count ->
        [one] { $count } packet
       *[other] { $count } packets
    } to { $path }, read back and checked. You may remove the stick.
close-copied = Batch { $id } copied to { $path } and checked.
close-past = Past batches
close-batch-count = { $count ->
        [one] { $count } packet
       *[other] { $count } packets
    }
close-copy = Copy to the chosen folder
close-copy-hint = Write this batch again, for example to a second stick
export-error-write = Could not write the batch to { $path } ({ $detail }). Nothing was marked exported: check the stick and export again.
export-error-read-back = The batch read back from { $path } differs from what was written: the stick is failing. Nothing was marked exported: use another stick.
export-error-empty = There are no approved packets to export. Approve packets in the review queue first.
export-error-busy = Another export is already running on this kit. Wait for it to finish, then try again.
export-error-unknown = This kit has exported no batch { $id }. Choose one from the list of past batches.
export-error-cancelled = Export cancelled: the partial file was removed and nothing was marked exported.
report-title = Daily report
report-date = Day (YYYY-MM-DD, UTC)
report-show = Show
report-total = { $count ->
        [one] { $count } enrollment
       *[other] { $count } enrollments
    } that day
report-save-csv = Save as CSV
report-saved = Saved { $path }
report-by-hour = Enrollments by hour (UTC)
report-enrollments = Enrollments
report-hour-axis = Hour (UTC)
report-quality = Print quality
report-prints = Prints
report-quality-axis = Quality score
report-by-assistant = By assistant
report-by-status = Status now
report-rejections = Rejections by reason
report-forced = Forced prints
report-exceptions = Finger exceptions
report-with-exceptions = Enrollments with exceptions
report-duplicates = Rejected as suspected duplicates
status-pending-review = Waiting for review
status-approved = Approved
status-rejected = Rejected
status-exported = Exported
status-acknowledged = Acknowledged

# Fingerprint quality: what the assistant should do
quality-no-finger = No finger on the glass: place the finger flat on the reader.
quality-small-area = Too little of the finger touched the glass: place it flat and centred, and press gently.
quality-unclear = The ridges are unclear: clean the glass and the finger, and keep the finger still.
quality-faint = The print is too light: the finger may be dry — breathe on it or press a little harder.
quality-dark = The print is too dark: the finger may be wet or greasy — wipe it dry and press more lightly.
quality-few-minutiae = Too little ridge detail: roll the finger slightly to show more of its centre.
fingers-best = Best attempt so far: quality { $q }. You may accept it with a reason, or try again.

# Face photo checks: what to do
face-check-no-face = No face found: the applicant stands in front of the camera and looks at it.
face-check-several-faces = More than one face: only the applicant may be in the picture.
face-check-centred = Centre the face in the picture.
face-check-close-enough = Move closer to the camera.
face-check-not-too-close = Move back: the whole head must be in the picture.
face-check-eyes-level = Look straight at the camera with both eyes open, head straight.
face-check-enough-light = More light on the face.
face-check-not-too-bright = Less light: no sun or lamp straight on the face.
face-check-sharp = Hold still: the picture is blurred.
face-check-plain-background = Stand in front of a plain, light background.
face-all-passed = All checks passed: hold still ({ $n } of { $of })…
face-auto-taken = The photo took itself when every check passed. Retake it if it does not look right.
queue-flag-duplicate = possible duplicate of { $rid }
report-flagged = Flagged by the duplicate search
dedup-searching = Checking whether this person is already enrolled on this kit…
dedup-none = Not enrolled on this kit before: no other enrollment has these fingerprints.
dedup-found = Possible duplicate of { $rid }: { $name }
dedup-found-elsewhere = Possible duplicate of { $rid }, enrolled at kit { $kit } (no photo on this kit)
dedup-what-to-do = The fingerprints match an earlier enrollment. Check the applicant's documents and ask; if it is the same person, abandon this enrollment. If you save it, the supervisor sees the flag.
dedup-failed = The duplicate check could not run ({ $detail }); the supervisor's daily check will cover it.
dedup-stopped = the search stopped before it ended

upload-title = Upload to the central office
upload-not-configured = This kit has no central office address: batches go by USB stick. (A technician sets it with: enroll-kit upload configure.)
upload-checking = Looking for the central office…
upload-reachable = The central office answers.
upload-unreachable = The central office cannot be reached. The kit tries again every few minutes; batches wait safely.
upload-now = Upload now
upload-sending = Sending { $batch }: { $percent }%
upload-state-pending = waiting to upload
upload-state-acknowledged = acknowledged by the central office
upload-state-refused = refused by the central office: look at the reason
upload-retry = Try again
upload-last-error = Last try: { $error }
upload-error-unreachable = The central office cannot be reached ({ $detail }). The kit tries again by itself; the batch waits safely.
upload-error-certificate = The central office's certificate is not the one this kit trusts ({ $detail }). Do not upload: call the central office.
upload-error-refused = The central office refused the batch (HTTP { $status }): { $detail }
upload-error-bad-answer = The central office answered something this kit cannot read ({ $detail }). The kit will try again.
upload-error-bad-receipt = The central office's receipt does not hold: { $detail }. Nothing was marked acknowledged; the kit will ask again, and if this repeats call the central office.
upload-error-not-configured = This kit has no central office address. A technician sets it with: enroll-kit upload configure.
upload-error-file = The batch file { $path } could not be read ({ $detail }). Export the day again, then upload.
upload-error-cancelled = The upload was stopped; it goes on from where it was next time.
upload-rejected = { $rid } rejected: { $reason }

home-trainer = Trainer: scenarios, trainee figures, reset
trainer-title = Trainer
trainer-scenarios = Training scenarios
trainer-scenarios-help = Pick a scenario and a trainee, then start it: the screen goes back to the login for the trainee, and the devices play the applicant.
trainer-trainee = Trainee
trainer-start = Start: { $title }
trainer-running = A scenario is running: { $title } for { $trainee }. End it from the bar at the top.
trainer-no-trainees = This pilot kit has no assistant accounts to train.
trainer-figures = Trainee figures
trainer-col-trainee = Trainee
trainer-col-enrollments = Enrollments
trainer-col-median = Median
trainer-col-retakes = Retakes
trainer-col-validation = Refused
trainer-col-scenarios = Scenarios right
trainer-seconds = { $seconds } s
trainer-chart = Seconds per enrollment, in the order they were done
trainer-chart-x = Enrollment
trainer-save-csv = Save the figures as CSV
trainer-saved = Saved to { $path }
trainer-reset = Reset pilot data
trainer-reset-warning = This wipes every training enrollment, batch, scenario run and slip on this pilot kit and starts it afresh with the pilot accounts. Production data is never touched. The new log records who reset it.
trainer-reset-confirm = Yes, wipe the pilot data
trainer-reset-cancel = Cancel
trainer-reset-done = Pilot data wiped: this is a fresh pilot kit.
trainer-back = Back to home
scenario-bar = Scenario: { $title } — trainee: { $trainee }
scenario-plug-back = Plug the reader back in
scenario-step-aside = The relative steps aside
scenario-end = End the scenario and see the result
verdict-title = Scenario result: { $title }
verdict-passed = Handled right.
verdict-failed = Not handled right yet. What was missed:
verdict-ok = Done: { $check }
verdict-missed = Missed: { $check } What to do: { $what }
verdict-back = Back to the login screen
check-saved = An enrollment was signed and saved.
check-not-saved = Nothing was saved.
check-ten-fingers = All ten fingers recorded, none forced.
check-retried = The poor print was taken again until it passed.
check-amputated = The missing finger recorded as amputated, with the photo of the hand.
check-duplicate = The kit's duplicate warning came up and the enrollment went to the supervisor flagged.
check-face = The face photo passed every check.
check-minor = The kit asked for a guardian for the minor.
check-locked-out = The account locked after too many wrong PINs.
missed-saved = Finish every step and sign off with your PIN.
missed-not-saved = An enrollment was saved: this applicant must not be enrolled today.
missed-ten-fingers = Every finger needs a good print or an exception; do not force a poor print while a better one is possible.
missed-retried = The dry finger was not taken again until it passed: help the applicant and capture again before accepting a poor print.
missed-amputated = Mark the missing finger as an exception (amputated) and take the photo of the hand.
missed-duplicate = The duplicate warning did not come up: capture all ten fingers so the kit can search, then save for the supervisor.
missed-face = The photo must show the applicant alone and pass every check: ask others to step out of the picture.
missed-minor = Type the applicant's date of birth: the kit then asks for a guardian.
missed-locked-out = The lockout never came: keep entering the wrong PIN to see what the kit does.
trainer-reset-busy = Finish the scenario or the export under way first, then reset.
trainer-reset-start = Wipe the pilot data and start afresh

unlock-title = This kit is locked
unlock-why = Kit { $kit } of centre { $centre } keeps every record encrypted. A supervisor ({ $holders }) unlocks it for the day with the kit passphrase; then assistants log in with their PINs.
unlock-passphrase = Kit passphrase
unlock-button = Unlock the kit
unlock-working = Unlocking…
unlock-wrong = That is not this kit's passphrase. Check the words and spaces, and try again.
unlock-failed = The kit could not be opened: { $detail }
unlock-pilot = Pilot kit: its passphrase is "{ $passphrase }".
