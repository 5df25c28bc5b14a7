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
login-wrong-pin = PIN si sahihi. PIN { $left } zaidi zisizo sahihi zitafunga akaunti kwa dakika { $minutes }.
login-wrong-pin-last = PIN si sahihi. PIN { $left } zaidi zisizo sahihi zitafunga akaunti hadi msimamizi aifungue.
login-locked-supervisor = PIN nyingi mno zisizo sahihi tena: akaunti imefungwa. Muulize msimamizi aifungue.
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
device-error-open = Kisoma hakiwezi kufunguliwa kwenye { $port } ({ $detail }). Angalia kebo na ubonyeze Jaribu tena; ikiendelea, mwite msimamizi (mtumiaji huyu anaweza kuhitaji kikundi cha dialout).
device-error-timeout = Kisoma hakikujibu ndani ya ms { $ms }. Angalia kebo na umeme, kisha jaribu tena.
device-error-no-finger = Hakuna kidole kwenye kisoma baada ya sekunde { $seconds }. Weka kidole sawasawa kwenye kioo na ujaribu tena.
device-error-finger-lifted = Kidole kiliinuliwa mapema mno. Kiache kwenye kioo hadi alama ichukuliwe.
device-error-garbled = Kisoma kimetuma data iliyoharibika ({ $detail }). Jaribu tena; ikiendelea, angalia kebo.
device-error-module = Kisoma kimeripoti hitilafu: { $meaning } (msimbo { $code }). Jaribu tena.
device-error-password = Kisoma kimekataa nenosiri lake. Mwite msimamizi: wasifu wa kifaa unahitaji nenosiri la kisoma, au kisoma kinahitaji kuwekwa upya.
device-error-no-answer = Hakuna jibu kutoka kwa kisoma (baud { $rates } zimejaribiwa). Angalia kebo na umeme, na kwamba hiki ndicho kisoma ambacho kifaa hiki kinatarajia.
device-error-disconnected = Kisoma kimetenganishwa. Kichomeke tena na ubonyeze Jaribu tena.
device-error-wrong-module = Kisoma kimejibu kama moduli nyingine ({ $found }): kisoma kingine kiko kwenye kebo hii, au hiki kiliwekwa anwani nyingine. Hakikisha kebo inaenda kwenye kisoma cha kifaa hiki, au mwite msimamizi akiweke upya.
device-error-cancelled = Kuchukua alama kumesitishwa.
device-error-other = Kisoma hakiwezi kufanya hivi: { $detail }
device-error-start = Kisoma hakikuweza kuanzishwa ({ $detail }). Funga programu nyingine na uanzishe upya enroll-kit.
device-error-stopped = Kisoma kimeacha kufanya kazi. Anzisha upya enroll-kit.
device-error-not-connected = Kisoma hakijaunganishwa. Bonyeza Jaribu tena.
error-detail = Kuna hitilafu: { $detail }
error-disk-full = Diski ya kifaa imejaa: hakuna kilichopotea, lakini hakuna zaidi kinachoweza kuhifadhiwa. Funga siku (hamisha) au muombe msimamizi apate nafasi, kisha jaribu tena.
error-db-busy = Kifaa kina shughuli nyingine (uhamishaji au utafutaji). Subiri kidogo, kisha jaribu tena.
error-db-unwritable = Kifaa hakiwezi kuandika hifadhidata yake ({ $detail }). Hakuna kilichopotea. Anzisha upya enroll-kit; ikiendelea, mwite msimamizi.
error-db-corrupt = Hifadhidata ya kifaa imeharibika. Hakuna kilichobadilishwa. Acha kusajili kwenye kifaa hiki na umwite msimamizi.
error-forbidden = Akaunti yako hairuhusiwi kufanya hivi. Muulize msimamizi.
error-file-exists = { $path } tayari ipo: chagua jina jingine (kifaa hiki hakiandiki juu ya faili lililopo).
error-write = Haiwezekani kuandika { $path } ({ $detail }). Hakikisha diski au kifimbo kina nafasi na hakijazuiwa kuandikwa, kisha jaribu tena.

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

field-surname = Jina la ukoo
field-first-name = Jina la kwanza
field-single-name = Jina (jina moja alilo nalo mwombaji)
field-single-name-check = Mwombaji ana jina moja tu
field-other-names = Majina mengine
field-sex = Jinsia
field-date-of-birth = Tarehe ya kuzaliwa (YYYY-MM-DD)
field-dob-estimated = Mwaka wa kuzaliwa pekee ndio unajulikana
details-year-only = { $year } (mwaka pekee ndio unajulikana)
field-citizenship = Uraia
field-nationality = Utaifa
field-national-id = Nambari ya kitambulisho cha taifa
field-birth-certificate = Nambari ya cheti cha kuzaliwa
field-passport = Nambari ya pasipoti
field-alien-id = Nambari ya kitambulisho cha mgeni
field-kra-pin = PIN ya KRA
field-nhif = Nambari ya NHIF
field-nssf = Nambari ya NSSF
field-phone = Nambari ya simu
field-resides-abroad = Anaishi nje ya nchi (anasajiliwa ubalozini)
field-country-of-residence = Nchi ya makazi
field-county = Kaunti
field-sub-county = Kaunti ndogo
field-ward = Wadi
field-guardian-id = Nambari ya kitambulisho au RID ya mzazi au mlezi
field-guardian-name = Jina la mzazi au mlezi
sex-male = Mwanaume
sex-female = Mwanamke
sex-intersex = Huntha
citizenship-birth = Mkenya kwa kuzaliwa
citizenship-registration = Mkenya kwa usajili
citizenship-foreign = Mkazi wa kigeni
picker-no-match = Hakuna kinacholingana: andika kidogo, au angalia tahajia
demographics-minor = Chini ya miaka 18: nambari ya kitambulisho au RID ya mzazi au mlezi inahitajika.
face-title = Picha ya uso
face-instructions = Mwombe mwombaji aangalie kamera moja kwa moja, bila kofia wala miwani, mbele ya mandhari tupu.
face-capture = Piga picha
face-retake = Piga tena
face-taken = Picha imepigwa. Iangalie, kisha endelea au piga tena.
face-no-camera = Bado hakuna picha kutoka kwa kamera: hakikisha imeunganishwa (tazama skrini ya mwanzo), kisha jaribu tena.
face-checks-failed = Ukaguzi wa uso haukuweza kuanza ({ $detail }). Piga picha mwenyewe, ukiikagua wewe mwenyewe.

fingers-title = Alama za vidole
hand-right = Mkono wa kulia
hand-left = Mkono wa kushoto
finger-right-thumb = Kidole gumba cha kulia
finger-right-index = Kidole cha shahada cha kulia
finger-right-middle = Kidole cha kati cha kulia
finger-right-ring = Kidole cha pete cha kulia
finger-right-little = Kidole kidogo cha kulia
finger-left-thumb = Kidole gumba cha kushoto
finger-left-index = Kidole cha shahada cha kushoto
finger-left-middle = Kidole cha kati cha kushoto
finger-left-ring = Kidole cha pete cha kushoto
finger-left-little = Kidole kidogo cha kushoto
finger-empty = bado
finger-quality = ubora { $q }
finger-forced = ubora { $q }, kimekubaliwa
finger-exception = hakipatikani
fingers-place = Weka { $finger } sawasawa kwenye kisoma, kisha bonyeza Chukua.
fingers-capture = Chukua
fingers-cancel = Ghairi
fingers-waiting = Inasubiri kidole kwenye kioo…
fingers-receiving = Inapokea picha…
fingers-result = { $finger }: ubora { $q } (unaohitajika { $min }), jaribio la { $n }
fingers-retry = Alama ni hafifu au haijakamilika: safisha kioo na kidole, bonyeza kwa nguvu, kisha chukua tena.
fingers-force = Kubali alama hii hivyo hivyo
fingers-force-reason = Sababu ya kukubali alama hafifu (kwa msimamizi)
fingers-mark-exception = Weka kidole hiki kama hakipatikani
exception-amputated = Kimekatwa
exception-injured = Kimejeruhiwa au kimefungwa
exception-unable = Hakiwezi kuchukuliwa
exception-other = Sababu nyingine
exception-note = Maelezo
fingers-exception-photo = Piga picha ya mkono (ikionyesha kidole)
fingers-exception-photo-taken = Picha ya mkono imepigwa.
fingers-recapture = Chukua kidole hiki tena
fingers-all-done = Vidole vyote kumi vimekamilika. Viangalie, kisha bonyeza Endelea.
fingers-no-print = Bado hakuna alama ya { $finger }.
fingers-print-quality = ubora { $q } (unaohitajika { $min })

review-sealing = Inahifadhi usajili… (kidogo tu: PIN inakaguliwa na pakiti inafungwa)
review-change = Badilisha
review-exception-photo = Picha ya mkono
review-pin = PIN yako, kuthibitisha usajili huu
review-sign = Thibitisha na uhifadhi
done-title = Usajili umehifadhiwa
done-rid = Nambari ya usajili (RID)
done-slip = Stakabadhi iko tayari kuchapishwa: { $path }
done-slip-failed = Stakabadhi haikuweza kuandikwa: { $detail }
done-next = Mwombaji anayefuata

# Msimamizi: ukaguzi, kufunga siku, ripoti ya siku
back-home = Rudi mwanzo
home-supervisor = Msimamizi
home-review = Kagua pakiti ({ $count } zinasubiri)
home-close-day = Funga siku (hamisha)
home-report = Ripoti ya siku
queue-title = Pakiti zinazosubiri ukaguzi
queue-empty = Hakuna pakiti inayosubiri ukaguzi.
queue-count = { $count ->
        [one] Pakiti { $count } inasubiri
       *[other] Pakiti { $count } zinasubiri
    }. Fungua moja kwa RID yake kuona kila kitu ndani yake.
queue-approve-all = Idhinisha pakiti zote safi ({ $count })
queue-confirm-all = Idhinisha pakiti safi { $count } bila kuzifungua? Safi maana yake hakuna alama iliyolazimishwa wala kidole chenye udhuru.
queue-confirm-yes = Ndiyo, idhinisha { $count }
queue-confirm-no = Hapana, rudi
queue-approved = { $rid } imeidhinishwa.
queue-rejected = { $rid } imekataliwa.
queue-approved-all = { $count ->
        [one] Pakiti safi { $count } imeidhinishwa.
       *[other] Pakiti safi { $count } zimeidhinishwa.
    }
queue-rid = RID
queue-name = Jina
queue-time = Saa
queue-assistant = Msaidizi
queue-quality = Ubora wa chini wa alama
queue-flags = Alama za tahadhari
queue-open = Fungua pakiti hii
queue-flag-forced = { $count ->
        [one] alama { $count } iliyolazimishwa
       *[other] alama { $count } zilizolazimishwa
    }
queue-flag-exceptions = { $count ->
        [one] kidole { $count } chenye udhuru
       *[other] vidole { $count } vyenye udhuru
    }
queue-flag-clean = safi
queue-back = Rudi kwenye orodha
queue-captured-by = Imechukuliwa na { $assistant } saa { $at }
queue-own = Wewe ndiye uliyechukua pakiti hii: msimamizi mwingine lazima aikague.
queue-approve = Idhinisha
queue-reason = Sababu ya kukataa
queue-choose-reason = Chagua sababu…
queue-note = Maelezo (kosa ni nini hasa; yanahitajika kwa "Nyingine")
queue-reject = Kataa
reason-poor-photo = Picha ya uso si nzuri
reason-poor-prints = Alama za vidole si nzuri
reason-wrong-details = Taarifa si sahihi au zina shaka
reason-suspected-duplicate = Huenda amesajiliwa tayari
reason-documents-or-consent = Nyaraka au ridhaa zina shaka
reason-other = Nyingine
close-title = Funga siku
close-ready = { $count ->
        [one] Pakiti { $count } iliyoidhinishwa iko tayari kuhamishwa.
       *[other] Pakiti { $count } zilizoidhinishwa ziko tayari kuhamishwa.
    }
close-pending = { $count ->
        [one] Pakiti { $count } bado inasubiri ukaguzi: haitakuwa katika kundi hili.
       *[other] Pakiti { $count } bado zinasubiri ukaguzi: hazitakuwa katika kundi hili.
    }
close-destination = Mahali pa kuandika kundi
close-no-stick = Hakuna USB iliyopatikana. Ingiza moja na ubonyeze Onyesha upya, au andika folda hapa chini.
close-drive = USB: { $path }
close-refresh = Onyesha upya
close-folder = Folda
close-export = Hamisha pakiti { $count }
close-writing = Inaandika kundi kwenye { $path }. Usiondoe USB.
close-progress = Pakiti { $done } kati ya { $total }
close-cancel = Sitisha uhamishaji
close-cancelling = Inasitisha…
close-exported = { $count ->
        [one] Pakiti { $count } imehamishwa
       *[other] Pakiti { $count } zimehamishwa
    } kwenda { $path }, zimesomwa tena na kukaguliwa. Unaweza kuondoa USB.
close-copied = Kundi { $id } limenakiliwa kwenda { $path } na kukaguliwa.
close-past = Makundi yaliyopita
close-batch-count = pakiti { $count }
close-copy = Nakili kwenye folda iliyochaguliwa
close-copy-hint = Andika kundi hili tena, kwa mfano kwenye USB ya pili
export-error-write = Kundi halikuweza kuandikwa kwenye { $path } ({ $detail }). Hakuna pakiti iliyowekwa alama ya kuhamishwa: angalia USB na uhamishe tena.
export-error-read-back = Kundi lililosomwa tena kutoka { $path } si sawa na lililoandikwa: USB hii inaharibika. Hakuna pakiti iliyowekwa alama ya kuhamishwa: tumia USB nyingine.
export-error-empty = Hakuna pakiti zilizoidhinishwa za kuhamisha. Idhinisha pakiti kwenye foleni ya ukaguzi kwanza.
export-error-busy = Uhamishaji mwingine unaendelea kwenye kifaa hiki. Subiri umalizike, kisha jaribu tena.
export-error-unknown = Kifaa hiki hakijahamisha kundi { $id }. Chagua moja kwenye orodha ya makundi yaliyopita.
export-error-cancelled = Uhamishaji umesitishwa: faili lisilokamilika limeondolewa na hakuna pakiti iliyowekwa alama ya kuhamishwa.
report-title = Ripoti ya siku
report-date = Siku (YYYY-MM-DD, UTC)
report-show = Onyesha
report-total = Usajili { $count } siku hiyo
report-save-csv = Hifadhi kama CSV
report-saved = Imehifadhiwa { $path }
report-by-hour = Usajili kwa saa (UTC)
report-enrollments = Usajili
report-hour-axis = Saa (UTC)
report-quality = Ubora wa alama za vidole
report-prints = Alama
report-quality-axis = Alama ya ubora
report-by-assistant = Kwa msaidizi
report-by-status = Hali ya sasa
report-rejections = Zilizokataliwa kwa sababu
report-forced = Alama zilizolazimishwa
report-exceptions = Vidole vyenye udhuru
report-with-exceptions = Usajili wenye udhuru
report-duplicates = Zilizokataliwa kwa kushukiwa kurudiwa
status-pending-review = Inasubiri ukaguzi
status-approved = Imeidhinishwa
status-rejected = Imekataliwa
status-exported = Imehamishwa
status-acknowledged = Imepokelewa

# Ubora wa alama za vidole: afanye nini msaidizi
quality-no-finger = Hakuna kidole kwenye kioo: weka kidole bapa kwenye kisomaji.
quality-small-area = Sehemu ndogo tu ya kidole imegusa kioo: kiweke bapa katikati, na ubonyeze kidogo.
quality-unclear = Mistari haionekani vizuri: safisha kioo na kidole, na usitikise kidole.
quality-faint = Alama ni hafifu mno: huenda kidole ni kikavu — kipulizie pumzi au ubonyeze zaidi kidogo.
quality-dark = Alama ni nzito mno: huenda kidole kina maji au mafuta — kikaushe na ubonyeze kwa wepesi.
quality-few-minutiae = Maelezo ya mistari ni machache: zungusha kidole kidogo kuonyesha zaidi katikati yake.
fingers-best = Jaribio bora hadi sasa: ubora { $q }. Unaweza kulikubali kwa sababu, au ujaribu tena.

# Ukaguzi wa picha ya uso: nini cha kufanya
face-check-no-face = Hakuna uso ulioonekana: mwombaji asimame mbele ya kamera na aitazame.
face-check-several-faces = Kuna uso zaidi ya mmoja: mwombaji peke yake ndiye awe kwenye picha.
face-check-centred = Weka uso katikati ya picha.
face-check-close-enough = Sogea karibu na kamera.
face-check-not-too-close = Rudi nyuma: kichwa chote kionekane kwenye picha.
face-check-eyes-level = Tazama kamera moja kwa moja, macho yote wazi, kichwa sawa.
face-check-enough-light = Ongeza mwanga usoni.
face-check-not-too-bright = Punguza mwanga: jua au taa isimulike uso moja kwa moja.
face-check-sharp = Tulia: picha haiko wazi.
face-check-plain-background = Simama mbele ya mandhari tupu yenye rangi nyepesi.
face-all-passed = Ukaguzi wote umepita: tulia ({ $n } kati ya { $of })…
face-auto-taken = Picha imejipiga yenyewe ukaguzi wote ulipopita. Ipige upya kama haionekani sawa.
queue-flag-duplicate = huenda ni marudio ya { $rid }
report-flagged = Zilizoonyeshwa na ukaguzi wa marudio
dedup-searching = Inakagua kama mtu huyu ameshasajiliwa kwenye kifaa hiki…
dedup-none = Hajasajiliwa kwenye kifaa hiki kabla: hakuna usajili mwingine wenye alama hizi za vidole.
dedup-found = Huenda ni marudio ya { $rid }: { $name }
dedup-found-elsewhere = Huenda ni marudio ya { $rid }, aliyesajiliwa kwenye kifaa { $kit } (hakuna picha kwenye kifaa hiki)
dedup-what-to-do = Alama za vidole zinalingana na usajili wa awali. Kagua nyaraka za mwombaji na umuulize; kama ni mtu yule yule, acha usajili huu. Ukiuhifadhi, msimamizi ataona alama hii.
dedup-failed = Ukaguzi wa marudio haukuweza kufanyika ({ $detail }); ukaguzi wa kila siku wa msimamizi utaushughulikia.
dedup-stopped = utafutaji ulisimama kabla ya kumalizika

upload-title = Tuma kwa ofisi kuu
upload-not-configured = Kifaa hiki hakina anwani ya ofisi kuu: makundi yanapelekwa kwa USB. (Fundi anaiweka kwa: enroll-kit upload configure.)
upload-checking = Inatafuta ofisi kuu…
upload-reachable = Ofisi kuu inajibu.
upload-unreachable = Ofisi kuu haipatikani. Kifaa kinajaribu tena kila baada ya dakika chache; makundi yanasubiri salama.
upload-now = Tuma sasa
upload-sending = Inatuma { $batch }: { $percent }%
upload-state-pending = inasubiri kutumwa
upload-state-acknowledged = imepokelewa na ofisi kuu
upload-state-refused = imekataliwa na ofisi kuu: angalia sababu
upload-retry = Jaribu tena
upload-last-error = Jaribio la mwisho: { $error }
upload-rejected = { $rid } imekataliwa: { $reason }

home-trainer = Mkufunzi: mazoezi, takwimu za wanafunzi, kuweka upya
trainer-title = Mkufunzi
trainer-scenarios = Mazoezi ya mafunzo
trainer-scenarios-help = Chagua zoezi na mwanafunzi, kisha lianze: skrini inarudi kwenye kuingia kwa ajili ya mwanafunzi, na vifaa vinaigiza mwombaji.
trainer-trainee = Mwanafunzi
trainer-start = Anza: { $title }
trainer-running = Zoezi linaendelea: { $title } kwa { $trainee }. Lisimamishe kwenye upau ulio juu.
trainer-no-trainees = Kifaa hiki cha majaribio hakina akaunti za wasaidizi za kufunza.
trainer-figures = Takwimu za wanafunzi
trainer-col-trainee = Mwanafunzi
trainer-col-enrollments = Usajili
trainer-col-median = Wastani wa kati
trainer-col-retakes = Marudio
trainer-col-validation = Yaliyokataliwa
trainer-col-scenarios = Mazoezi sahihi
trainer-seconds = sekunde { $seconds }
trainer-chart = Sekunde kwa kila usajili, kwa mpangilio ulivyofanywa
trainer-chart-x = Usajili
trainer-save-csv = Hifadhi takwimu kama CSV
trainer-saved = Imehifadhiwa kwenye { $path }
trainer-reset = Weka upya data ya majaribio
trainer-reset-warning = Hii inafuta kila usajili wa mafunzo, kifurushi, zoezi na risiti kwenye kifaa hiki cha majaribio na kukianza upya na akaunti za majaribio. Data halisi haiguswi kamwe. Kumbukumbu mpya inaandika aliyekiweka upya.
trainer-reset-confirm = Ndiyo, futa data ya majaribio
trainer-reset-cancel = Ghairi
trainer-reset-done = Data ya majaribio imefutwa: hiki ni kifaa kipya cha majaribio.
trainer-back = Rudi mwanzo
scenario-bar = Zoezi: { $title } — mwanafunzi: { $trainee }
scenario-plug-back = Chomeka kisomaji tena
scenario-step-aside = Ndugu anasogea kando
scenario-end = Maliza zoezi na uone matokeo
verdict-title = Matokeo ya zoezi: { $title }
verdict-passed = Limeshughulikiwa vizuri.
verdict-failed = Bado halijashughulikiwa vizuri. Kilichokosekana:
verdict-ok = Imefanyika: { $check }
verdict-missed = Imekosekana: { $check } Cha kufanya: { $what }
verdict-back = Rudi kwenye skrini ya kuingia
check-saved = Usajili ulitiwa sahihi na kuhifadhiwa.
check-not-saved = Hakuna kilichohifadhiwa.
check-ten-fingers = Vidole vyote kumi vimerekodiwa, hakuna kilicholazimishwa.
check-retried = Alama mbaya ilichukuliwa tena hadi ikapita.
check-amputated = Kidole kinachokosekana kimerekodiwa kama kilichokatwa, pamoja na picha ya mkono.
check-duplicate = Onyo la nakala la kifaa lilitokea na usajili ulienda kwa msimamizi ukiwa na alama.
check-face = Picha ya uso ilipita kila ukaguzi.
check-minor = Kifaa kiliomba mlezi kwa ajili ya mtoto.
check-locked-out = Akaunti ilifungwa baada ya PIN nyingi zisizo sahihi.
missed-saved = Maliza kila hatua na utie sahihi kwa PIN yako.
missed-not-saved = Usajili ulihifadhiwa: mwombaji huyu hapaswi kusajiliwa leo.
missed-ten-fingers = Kila kidole kinahitaji alama nzuri au tofauti; usilazimishe alama mbaya ikiwa bora inawezekana.
missed-retried = Kidole kikavu hakikuchukuliwa tena hadi kipite: msaidie mwombaji na uchukue tena kabla ya kukubali alama mbaya.
missed-amputated = Weka kidole kinachokosekana kama tofauti (kimekatwa) na upige picha ya mkono.
missed-duplicate = Onyo la nakala halikutokea: chukua vidole vyote kumi ili kifaa kitafute, kisha hifadhi kwa ajili ya msimamizi.
missed-face = Picha lazima imwonyeshe mwombaji peke yake na ipite kila ukaguzi: waombe wengine watoke kwenye picha.
missed-minor = Andika tarehe ya kuzaliwa ya mwombaji: kifaa kisha kinaomba mlezi.
missed-locked-out = Kufungiwa hakukutokea: endelea kuingiza PIN isiyo sahihi uone kifaa kinachofanya.
trainer-reset-busy = Maliza kwanza zoezi au uhamishaji unaoendelea, kisha weka upya.
trainer-reset-start = Futa data ya majaribio na uanze upya

unlock-title = Kifaa hiki kimefungwa
unlock-why = Kifaa { $kit } cha kituo { $centre } huhifadhi kila rekodi kwa usimbaji fiche. Msimamizi ({ $holders }) hukifungua kwa siku kwa nenosiri la kifaa; kisha wasaidizi huingia kwa PIN zao.
unlock-passphrase = Nenosiri la kifaa
unlock-button = Fungua kifaa
unlock-working = Kinafunguliwa…
unlock-wrong = Hilo si nenosiri la kifaa hiki. Angalia maneno na nafasi, kisha ujaribu tena.
unlock-failed = Kifaa hakikuweza kufunguliwa: { $detail }
unlock-pilot = Kifaa cha majaribio: nenosiri lake ni "{ $passphrase }".
