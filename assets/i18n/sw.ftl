## enroll-kit, Kiswahili. Funguo sawa na en.ftl.

app-title = enroll-kit
training-banner = MAFUNZO — hali ya majaribio: rekodi ni za kubuni na haziingii kwenye sajili
language-en = English
language-sw = Kiswahili
logout = Ondoka
next = Endelea
back = Rudi

login-title = Ingia kwenye kifaa hiki
login-username = Jina la kuingia
login-pin = PIN
login-button = Ingia
login-wrong-pin = PIN si sahihi. PIN { $left } zaidi zisizo sahihi zitafunga akaunti kwa dakika 5.
login-locked = PIN nyingi mno zisizo sahihi. Jaribu tena baada ya dakika { $minutes } sekunde { $seconds }, au muulize msimamizi.
login-unknown = Hakuna akaunti yenye jina hili la kuingia. Liangalie, au muulize msimamizi.
login-disabled = Akaunti hii imefungwa na msimamizi. Muombe msimamizi aifungue.
login-failed = Imeshindikana kuingia: { $detail }
pilot-accounts = Akaunti za majaribio: trainee (PIN { $trainee }), supervisor (PIN { $supervisor }), trainer (PIN { $trainer }).

home-title = Mwanzo
home-welcome = Karibu, { $name }
home-today = Usajili wa leo kwenye kifaa hiki: { $count }
home-drafts = Usajili ambao haujakamilika
home-draft-line = { $name } — ulisimama kwenye { $step }, ulihifadhiwa { $at }
home-no-name = (bado hakuna jina)
home-resume = Endelea nao
home-abandon = Achana nao
home-start = Anza usajili mpya
home-devices = Vifaa
home-reader = Kisoma alama za vidole
home-camera = Kamera
device-connecting = kinaunganishwa…
device-connected = kimeunganishwa: { $detail }
device-failed = hakijaunganishwa: { $detail }
device-retry = Jaribu tena

step-consent = Idhini
step-demographics = Maelezo binafsi
step-face = Picha ya uso
step-fingerprints = Alama za vidole
step-review = Kagua

consent-title = Idhini
consent-read-aloud = Msomee mwombaji maneno haya:
consent-text = Serikali ya Kenya itarekodi jina lako, tarehe yako ya kuzaliwa na maelezo mengine, picha ya uso wako na alama za vidole vyako, ili kukusajili katika sajili ya kitaifa ya utambulisho. Rekodi inafungwa kwenye kifaa hiki na kutumwa kwa ofisi ya usajili. Inatumika kuthibitisha wewe ni nani na inalindwa na sheria. Je, unakubali?
consent-agree = Mwombaji anakubali
consent-refuse = Mwombaji anakataa
consent-refused = Mwombaji amekataa. Hakuna kilichorekodiwa; kukataa kumeandikwa kwenye kumbukumbu.
enrollment-coming = Hatua hii ya usajili bado haijajengwa.

validation-required = Sehemu hii inahitajika.
validation-name-characters = Tumia herufi, nafasi, vistari na alama za kuacha tu.
validation-too-long = Ni ndefu mno: herufi 50 zaidi.
validation-unknown-choice = Chagua mojawapo ya chaguo.
validation-date-format = Andika tarehe kama YYYY-MM-DD (au mwaka YYYY ikiwa ni makadirio).
validation-date-in-future = Tarehe ya kuzaliwa haiwezi kuwa ya baadaye.
validation-too-old = Hii inatoa umri wa zaidi ya miaka 120: angalia tarehe.
validation-unknown-country = Huu si msimbo wa nchi unaojulikana.
validation-must-not-be-kenya = Chagua nchi nyingine isipokuwa Kenya.
validation-national-id-format = Nambari ya kitambulisho cha taifa ina tarakimu 7 au 8.
validation-document-format = Tumia herufi na tarakimu 1 hadi 20.
validation-kra-pin-format = PIN ya KRA ni herufi, tarakimu 9 na herufi, kwa mfano A123456789Z.
validation-member-number-format = Tumia tarakimu 6 hadi 12.
validation-phone-format = Weka nambari ya Kenya (07…, 01…) au ya kimataifa inayoanza na +.
validation-unknown-place = Chagua mahali ndani ya lile lililochaguliwa juu yake.
validation-not-for-this-citizenship = Hii haitumiki kwa uraia huu.
validation-foreigner-needs-document = Mkazi wa kigeni anahitaji pasipoti au nambari ya kitambulisho cha mgeni.
validation-minor-needs-guardian = Mtu wa chini ya miaka 18 anahitaji nambari ya kitambulisho au RID ya mzazi au mlezi.
validation-guardian-id-format = Weka nambari ya kitambulisho cha taifa (tarakimu 7 au 8) au RID (tarakimu 29).
validation-abroad-only-for-citizens = Raia wa Kenya pekee ndio husajiliwa wakiwa nje ya nchi.

gap-no-consent = Idhini ya mwombaji haijarekodiwa.
gap-demographics = Baadhi ya maelezo binafsi yanahitaji kusahihishwa.
gap-no-face = Piga picha ya uso.
gap-finger-missing = Kila kidole kinahitaji alama au sababu ya kukosekana.
gap-no-exception-photo = Kidole kimewekwa kama kisichopatikana: piga picha ya mkono.
