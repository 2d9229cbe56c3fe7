"""What the claim matcher knows about words before it sees a fact-check: plain data, no logic.

- ``STOPWORDS``: function words of Indonesian, Jakarta slang, Sundanese, Javanese and English that
  carry no claim (negations are not among them: ``tidak bisa dipakai`` and ``bisa dipakai`` are
  opposite claims).
- ``NEGATIONS``: the standard words a negation maps to.
- ``GLOSSES``: Sundanese, Javanese and English words → the Indonesian a fact-check would use.
  The slang dictionary (``pipelines/tagging/slang.tsv``) covers Jakarta slang, not the regional
  languages nor English, and posts repeat Indonesian claims in all three. A gloss may be several
  words (``kuwu`` → ``kepala desa``); every word then counts.
- ``SYNONYMS``: groups of words people use for the same thing in election talk and hoaxes
  (``ditangkap``, ``diciduk``, ``dibekuk``; ``palsu``, ``bodong``, ``abal-abal``); each group
  is matched as its first word. Roots only: the affixed forms follow from the morphology.
- ``NUMBER_WORDS`` and ``UNITS``: number words → digits, and the unit suffixes glued to numbers
  (``200rb``, ``Rp2jt``, ``2x``).

Everything here is general language written for Siaga from the meaning of the words, not from
particular posts; lists are deliberately small and conservative, because each merged pair that is
wrong makes two unrelated claims look alike.
"""

from __future__ import annotations

STOPWORDS: frozenset[str] = frozenset("""
yang dan di ke dari ini itu ada adalah dengan untuk pada dalam juga atau sudah telah akan sedang masih
bisa dapat harus mau ingin jangan saja hanya cuma pun lah kah tah nya sih dong deh
kok kan ya yah nah tuh gitu begitu begini sangat banget sekali lebih paling agar supaya karena sebab
jika kalau kalo bila maka lalu kemudian setelah sebelum sesudah sampai hingga oleh bagi tentang seperti
serta namun tetapi tapi tetap para sang si kita kami kamu anda saya aku dia mereka beliau gue gua lo lu
kalian semua segala setiap tiap ia mu ku apa siapa mana kapan bagaimana mengapa kenapa berapa yg
jadi menjadi merupakan terus lagi baru nanti kini sini situ sana begitulah pula oh eh wah aduh ayo yuk
mari tolong mohon katanya kata bilang ujar ungkap sebut disebut menurut via per hal soal
sebagai yaitu yakni bahwa ternyata memang tentu pasti mungkin kira sekitar antara selama saat ketika
sedangkan padahal walaupun meskipun asalkan asal biar atas bawah sih loh lho kah dll dsb
sebuah seorang seseorang sesuatu beberapa banyak sedikit lain yah dah deh kek kayak kyk gimana
teh mah atuh wae oge ge ieu eta nu anu jeung sareng kana ka ti dina kudu tos geus
ceunah cenah mun lamun bari keur nuju urang abdi anjeun maneh aing sok mangga punten
bade badé supados kanggo pikeun ngan mung wungkul
ing sing karo kuwi iki iku opo ono wis wes arep nek yen lan uga jare lho mbok ben
ae nang neng soko seko sak
the a an of to in on at for and or is are was were be been it this that with as by from but
so if then than there their they he she we you i his her its our your my me us them will would
has have had do does did can could should just also about into over after before during because
gaes guys gan sis bro min kak ges gengs el
persen percent
""".split())

NEGATIONS: frozenset[str] = frozenset({"tidak", "bukan", "belum"})
REFUSALS: frozenset[str] = frozenset({"batal", "larang", "tolak"})
"""Canonical words (see ``SYNONYMS``) that say no without a negation: a post saying a vote is *batal*
(void) or *gugur* repeats a claim that it is *tidak sah*; *dilarang* is *tidak boleh*."""

GLOSSES: dict[str, str] = {
    # --- Indonesian words the slang map reads otherwise, or not at all ---------------------------------
    # In election talk DPT is the voters' list, KK the family card and the petahana the incumbent (the
    # slang map reads dapat, kakak and pertahanan).
    "dpt": "dpt", "kk": "kartu keluarga", "petahana": "petahana", "mk": "mahkamah konstitusi", "tak": "tidak", "tanpa": "tidak",
    # --- Sundanese -----------------------------------------------------------------------------
    "teu": "tidak", "henteu": "tidak", "ulah": "jangan", "sanes": "bukan", "acan": "belum", "aya": "ada", "embung": "tidak mau", "hoyong": "ingin", "tiasa": "bisa", "kenging": "boleh",
    "kedah": "harus", "parantos": "sudah",
    "jalma": "orang", "imah": "rumah", "bumi": "rumah", "cai": "air", "beas": "beras",
    "artos": "uang", "duit": "uang", "dinten": "hari", "poe": "hari", "peuting": "malam", "wengi": "malam",
    "enjing": "pagi", "isuk": "pagi", "sakuliah": "seluruh", "sadaya": "semua", "lembur": "kampung",
    "jambatan": "jembatan", "panto": "pintu", "sakola": "sekolah", "patani": "petani", "beus": "bus",
    "pinuh": "penuh", "kuwu": "kepala desa", "sepuh": "tua", "yuswa": "usia", "taun": "tahun",
    "saminggu": "seminggu", "minggon": "minggu", "sasih": "bulan", "wargi": "warga", "baraya": "saudara",
    "mawa": "membawa", "gawa": "membawa", "dijieun": "dibuat", "ngadamel": "membuat", "damel": "membuat",
    "dianggo": "dipakai", "nganggo": "memakai", "ditewak": "ditangkap", "newak": "menangkap",
    "gering": "sakit", "meunang": "menang", "eleh": "kalah", "dihaja": "disengaja", "ngahaja": "sengaja",
    "mareuman": "memadamkan", "ngaleueut": "minum", "nginum": "minum", "didahar": "dimakan",
    "kacemar": "tercemar", "ngahina": "menghina", "sumping": "datang", "dongkap": "datang", "lebet": "masuk",
    "kaluar": "keluar", "dibere": "diberi", "mere": "memberi", "nyuhunkeun": "meminta", "menta": "meminta",
    "lepat": "salah", "leres": "benar", "bener": "benar", "naek": "naik", "lungsur": "turun", "dugi": "sampai",
    "kapilih": "terpilih", "dipilih": "dipilih", "milih": "memilih", "diwangun": "dibangun", "ngawangun": "membangun",
    "gajih": "lemak", "bagong": "babi", "kedul": "malas", "lini": "gempa", "gede": "besar", "ageung": "besar",
    "alit": "kecil", "leutik": "kecil", "enggal": "baru", "kusabab": "karena", "basa": "saat",
    "samemeh": "sebelum", "saatos": "setelah", "upami": "jika", "ceuk": "kata", "gaganti": "pengganti",
    "hiji": "satu", "tilu": "tiga", "opat": "empat", "genep": "enam", "tujuh": "tujuh", "dalapan": "delapan",
    "salapan": "sembilan", "sapuluh": "sepuluh", "sarebu": "seribu", "rebu": "ribu", "sapoe": "sehari",
    "kawas": "seperti", "sorangan": "sendiri", "pamilihan": "pemilihan", "pamilih": "pemilih",
    # --- Javanese ------------------------------------------------------------------------------
    "ora": "tidak", "mboten": "tidak", "dudu": "bukan", "durung": "belum", "ojo": "jangan", "wonten": "ada", "iso": "bisa", "isa": "bisa", "wong": "orang", "omah": "rumah", "griya": "rumah", "banyu": "air", "dino": "hari", "bengi": "malam",
    "esuk": "pagi", "kabeh": "semua", "kabèh": "semua", "sedina": "sehari", "nduwe": "punya", "duwe": "punya",
    "gadhah": "punya", "bojo": "istri", "garwa": "istri", "nggowo": "membawa", "gowo": "membawa",
    "dienggo": "dipakai", "dinggo": "dipakai", "dicekel": "ditangkap",
    "lara": "sakit", "mati": "meninggal", "mateni": "mematikan", "dipateni": "dimatikan", "tibo": "jatuh",
    "ambrol": "ambruk", "rubuh": "ambruk", "lindu": "gempa", "dipangan": "dimakan", "mangan": "makan",
    "nglebokke": "memasukkan", "dibubarke": "dibubarkan", "ngilangi": "menghapus", "diilangi": "dihapus",
    "amarga": "karena", "mergo": "karena", "sadurunge": "sebelum", "sawise": "setelah", "didol": "dijual", "ngedol": "menjual", "dol": "jual", "tuku": "beli", "dituku": "dibeli",
    "melu": "ikut", "mandeg": "berhenti", "mandheg": "berhenti", "ngitung": "menghitung", "kebak": "penuh",
    "moto": "memotret", "difoto": "difoto", "didelikke": "disembunyikan", "ndelikke": "menyembunyikan",
    "nomer": "nomor", "kanca": "teman", "konco": "teman", "dhuwit": "uang", "anyar": "baru", "gedhe": "besar",
    "cilik": "kecil", "siji": "satu", "loro": "dua", "rong": "dua", "kalih": "dua", "telu": "tiga", "papat": "empat",
    "limo": "lima", "enem": "enam", "pitu": "tujuh", "wolu": "delapan", "sanga": "sembilan", "sepuluh": "sepuluh",
    "seket": "50", "satus": "100", "sewu": "seribu", "ewu": "ribu", "pindo": "dua kali", "ngumpulke": "mengumpulkan",
    "dikumpulke": "dikumpulkan", "digawe": "dibuat", "dijupuk": "diambil", "njupuk": "mengambil",
    # --- English: the words of election rumours --------------------------------------------------
    "not": "tidak", "doesn": "tidak", "don": "tidak", "didn": "tidak", "isn": "tidak", "aren": "tidak",
    "wasn": "tidak", "weren": "tidak", "cannot": "tidak bisa", "cant": "tidak bisa",
    "never": "tidak pernah", "ballot": "surat suara", "ballots": "surat suara",
    "vote": "coblos", "votes": "suara", "voted": "coblos", "voting": "coblos", "voter": "pemilih", "voters": "pemilih",
    "election": "pemilihan", "elections": "pemilihan", "poll": "pemungutan", "polling": "pemungutan", "station": "tps",
    "stations": "tps", "tps": "tps", "box": "kotak", "boxes": "kotak", "candidate": "calon", "candidates": "calon",
    "regent": "bupati", "running": "wakil", "mate": "wakil", "deputy": "wakil", "pair": "paslon",
    "campaign": "kampanye", "campaigns": "kampanye", "campaigning": "kampanye", "quiet": "tenang", "period": "masa",
    "fake": "palsu", "forged": "palsu", "counterfeit": "palsu", "false": "salah", "wrong": "salah",
    "degree": "ijazah", "diploma": "ijazah", "certificate": "sertifikat", "campus": "kampus", "university": "kampus",
    "registered": "terdaftar", "unregistered": "tidak terdaftar", "listed": "terdaftar", "passport": "paspor",
    "citizenship": "kewarganegaraan", "dual": "ganda", "double": "ganda", "twice": "dua kali", "times": "kali",
    "arrested": "ditangkap", "arrest": "tangkap", "detained": "ditahan", "jailed": "dipenjara", "jail": "penjara",
    "prison": "penjara", "corruption": "korupsi", "corrupt": "korupsi", "embezzled": "dikorupsi",
    "bribe": "suap", "bribed": "disuap", "bribery": "suap", "money": "uang", "cash": "uang", "envelope": "amplop",
    "envelopes": "amplop", "funds": "dana", "fund": "dana", "budget": "anggaran", "aid": "bantuan",
    "social": "sosial", "assistance": "bantuan", "rice": "beras", "food": "sembako", "groceries": "sembako",
    "package": "paket", "packages": "paket", "free": "gratis", "hand": "bagi", "handed": "dibagikan",
    "handing": "membagikan", "hands": "membagikan", "distributed": "dibagikan", "distribute": "bagi",
    "postponed": "ditunda", "postpone": "tunda", "delayed": "ditunda", "cancelled": "dibatalkan",
    "canceled": "dibatalkan", "annul": "batal", "annulled": "dibatalkan", "invalid": "tidak sah", "valid": "sah",
    "moved": "dipindahkan", "move": "pindah", "transferred": "dipindahkan", "removed": "dihapus",
    "deleted": "dihapus", "hacked": "diretas", "hack": "retas", "hacker": "peretas", "server": "server",
    "rigged": "curang", "fraud": "curang", "cheating": "curang", "manipulated": "dimanipulasi",
    "banned": "dilarang", "ban": "larang", "forbidden": "dilarang", "prohibited": "dilarang", "allowed": "boleh",
    "allows": "boleh", "permitted": "boleh", "allow": "boleh", "must": "wajib", "required": "wajib", "obliged": "wajib",
    "ordered": "instruksi", "orders": "instruksi", "instructed": "instruksi", "threatened": "diancam",
    "threat": "ancam", "fired": "dipecat", "sacked": "dipecat", "transfer": "mutasi", "civil": "asn",
    "servants": "asn", "servant": "asn", "teacher": "guru", "teachers": "guru", "honorary": "honorer",
    "salary": "gaji", "salaries": "gaji", "wages": "gaji", "pay": "gaji", "cut": "potong", "cuts": "potong",
    "village": "desa", "head": "kepala", "chief": "kepala", "chairman": "ketua", "chair": "ketua", "member": "anggota",
    "party": "partai", "witness": "saksi", "witnesses": "saksi", "officer": "petugas", "officers": "petugas",
    "staff": "petugas", "police": "polisi", "army": "tni", "court": "mahkamah", "constitutional": "konstitusi",
    "result": "hasil", "results": "hasil", "count": "hitung", "counting": "penghitungan", "quick": "cepat",
    "survey": "survei", "pollster": "survei", "win": "menang", "wins": "menang", "won": "menang", "lose": "kalah",
    "loses": "kalah", "lost": "kalah", "school": "sekolah", "schools": "sekolah",
    "closed": "libur", "holiday": "libur", "week": "minggu", "night": "malam", "morning": "pagi", "day": "hari",
    "hospital": "rumah sakit", "patients": "pasien", "patient": "pasien", "refuses": "menolak", "refused": "menolak",
    "refuse": "tolak", "rejects": "menolak", "water": "air", "poisoned": "beracun", "poison": "racun",
    "toxic": "beracun", "contaminated": "tercemar", "polluted": "tercemar", "waste": "limbah", "factory": "pabrik",
    "flood": "banjir", "flooding": "banjir", "floodgate": "pintu air", "earthquake": "gempa", "magnitude": "magnitudo",
    "predicts": "prediksi", "predicted": "prediksi", "bridge": "jembatan", "collapsed": "ambruk", "road": "jalan",
    "ring": "lingkar", "built": "dibangun", "build": "bangun", "video": "video", "footage": "video", "photo": "foto",
    "photos": "foto", "picture": "foto", "send": "kirim", "sent": "dikirim", "phone": "ponsel", "phones": "ponsel",
    "credit": "pulsa", "chip": "chip", "vaccine": "vaksin", "vaccines": "vaksin", "track": "pantau",
    "monitor": "pantau", "monitored": "dipantau", "ink": "tinta", "pork": "babi", "pig": "babi", "fat": "lemak",
    "lard": "lemak", "halal": "halal", "haram": "haram", "prayer": "salat", "ablution": "wudu", "mosque": "masjid",
    "wife": "istri", "second": "kedua", "secret": "rahasia", "hidden": "disembunyikan", "farmers": "petani",
    "farmer": "petani", "lazy": "malas", "insulted": "menghina", "insult": "hina", "called": "menyebut",
    "drugs": "narkoba", "drug": "narkoba", "market": "pasar", "mall": "mal", "demolished": "digusur",
    "evicted": "digusur", "family": "keluarga", "card": "kartu", "id": "ktp", "ids": "ktp", "ktp": "ktp",
    "copy": "fotokopi", "copies": "fotokopi", "young": "muda", "youth": "muda", "list": "daftar", "roll": "daftar",
    "thousand": "ribu", "thousands": "ribu", "million": "juta", "billion": "miliar", "hundred": "ratus",
    "hundreds": "ratus", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "ten": "10",
    "outsiders": "luar daerah", "outside": "luar", "bus": "bus", "buses": "bus", "busloads": "bus",
    "tonight": "malam", "warehouse": "gudang", "punched": "dicoblos", "marked": "dicoblos", "already": "sudah", "until": "sampai", "residents": "warga",
    "citizens": "warga", "people": "warga", "religious": "agama", "boarding": "pondok", "close": "tutup",
    "shut": "tutup", "dissolve": "bubar", "dissolved": "dibubarkan", "appointed": "ditetapkan",
    "electricity": "listrik", "power": "listrik", "blackout": "padam", "outage": "padam",
    "home": "rumah", "homes": "rumah", "house": "rumah", "houses": "rumah", "sticker": "stiker", "stickers": "stiker",
    "government": "pemerintah", "car": "mobil", "cars": "mobil", "vehicle": "kendaraan", "vehicles": "kendaraan",
    "caught": "ketahuan", "carrying": "angkut", "carry": "angkut", "hauling": "angkut", "transporting": "angkut",
    "fined": "denda", "fine": "denda", "invitation": "undangan", "letter": "surat", "without": "tidak",
    "new": "baru", "ask": "minta", "asked": "minta", "meet": "penuhi", "requirement": "syarat",
    "requirements": "syarat", "education": "pendidikan", "registry": "dukcapil", "blank": "kosong",
    "form": "formulir", "forms": "formulir", "sold": "dijual", "sell": "jual", "selling": "menjual", "team": "tim",
    "printed": "dicetak", "print": "cetak", "ghost": "siluman", "replacement": "pengganti", "replace": "ganti",
    "empty": "kosong", "full": "penuh", "filled": "terisi", "stolen": "dicuri", "steal": "curi", "burned": "dibakar",
    "burn": "bakar", "kidnapped": "diculik", "died": "meninggal", "dead": "meninggal", "killed": "dibunuh",
    "attack": "serang", "attacked": "diserang", "riot": "rusuh", "weapons": "senjata", "weapon": "senjata",
    "machetes": "golok", "machete": "golok", "mob": "massa", "crowd": "massa", "leaked": "bocor", "leak": "bocor",
    "circular": "edaran", "official": "resmi", "letterhead": "kop", "elected": "terpilih", "remove": "hapus",
    "abolish": "hapus", "abolished": "dihapus", "allowance": "tunjangan", "allowances": "tunjangan",
}

# Each group is matched as its first word. A group joins words a fact-checker and a spreader use
# for one thing; near-synonyms with a different claim (``ditahan`` is not ``ditangkap`` in law, but
# it is in a rumour) are joined only when a rumour would not tell them apart.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    # the act of voting and its objects
    ("coblos", "contreng", "pilih", "nyoblos"),
    ("tps", "pemungutan"),
    ("kertas", "surat"),
    ("paslon", "pasangan"),
    ("mobil", "kendaraan"),
    ("disdukcapil", "dukcapil", "capil"),
    ("vaksin", "imunisasi", "vaksinasi", "suntik"),
    ("chip", "microchip", "mikrochip", "cip"),
    ("fotokopi", "salinan", "fotocopy", "fc"),
    ("ganti", "tukar"),
    ("usir", "gusur"),
    ("perintah", "instruksi", "suruh", "titah", "arahan"),
    ("calon", "kandidat", "cabup", "cawabup", "cagub", "cawagub", "caleg", "capres", "cawapres"),
    ("kampanye", "orasi"),
    ("hitung", "rekap", "rekapitulasi", "kalkulasi"),
    ("survei", "polling", "jajak"),
    ("curang", "kecurangan", "manipulasi", "rekayasa", "culas", "akal-akalan"),
    ("siluman", "fiktif", "hantu"),
    # people and bodies
    ("asn", "pns", "pegawai"),
    ("kampus", "universitas", "univ"),
    ("kades", "kuwu", "lurah"),
    ("timses", "relawan"),
    ("polisi", "polres", "polsek", "aparat"),
    ("istri", "bini"),
    ("warga", "masyarakat", "penduduk", "rakyat"),
    ("murid", "siswa", "pelajar"),
    ("lansia", "manula", "jompo", "sepuh"),
    # acts of rumour
    ("tangkap", "ciduk", "bekuk", "cokok", "ringkus", "tahan"),
    ("penjara", "bui", "lapas", "napi", "tahanan"),
    ("palsu", "bodong", "abal", "aspal", "gadungan", "fake"),
    ("punya", "milik", "pegang"),
    ("izin", "boleh", "perbolehkan", "bolehkan"),
    ("larang", "cegah"),
    ("wajib", "mesti"),
    ("tunda", "undur", "mundur"),
    ("batal", "anulir", "gugur", "batalkan"),
    ("hapus", "coret", "delete"),
    ("pindah", "alih", "geser", "mutasi"),
    ("bagi", "salur", "kasih", "beri"),
    ("tolak", "tampik"),
    ("ancam", "intimidasi", "teror"),
    ("retas", "bobol", "hack"),
    ("sembunyi", "umpet", "delik"),
    ("hina", "ejek", "katai", "caci", "maki"),
    ("potong", "sunat", "pangkas"),
    ("korupsi", "korup", "tilap", "embat"),
    ("suap", "sogok"),
    ("uang", "duit", "dana", "fulus", "cuan"),
    ("gaji", "honor", "upah", "insentif"),
    ("bantuan", "bansos", "santunan"),
    ("ponsel", "hp", "handphone", "gawai", "smartphone"),
    ("foto", "potret", "jepret", "screenshot", "tangkapan"),
    ("video", "rekaman"),
    ("ambruk", "runtuh", "roboh", "amblas", "ambles", "jebol"),
    ("meninggal", "tewas", "wafat", "mati"),
    ("sakit", "gering"),
    ("racun", "toksik"),
    ("cemar", "kotor"),
    ("libur", "liburkan"),
    ("gratis", "free", "geratis"),
    ("datang", "hadir", "dateng"),
    ("tutup", "bubar"),
    ("gempa", "lindu"),
    ("malas", "pemalas"),
    ("bus", "bis"),
    ("senjata", "sajam"),
    ("sah", "valid"),
    ("ktp", "ektp", "ktpel"),
    ("umrah", "umroh"),
    ("wudu", "wudhu"),
    ("salat", "sholat", "shalat", "solat"),
    ("blangko", "blanko"),
)

NUMBER_WORDS: dict[str, str] = {
    "nol": "0", "satu": "1", "dua": "2", "tiga": "3", "empat": "4", "lima": "5", "enam": "6",
    "tujuh": "7", "delapan": "8", "sembilan": "9", "sepuluh": "10", "sebelas": "11", "seratus": "100",
    "seribu": "1000", "sejuta": "1000000", "pertama": "1", "kedua": "2", "ketiga": "3", "keempat": "4",
    "kelima": "5",
}

# Units glued to a number (``200rb``, ``rp2jt``, ``3x``, ``62%``→ already split) → the unit's word.
UNITS: dict[str, str] = {
    "rb": "ribu", "ribu": "ribu", "k": "ribu", "jt": "juta", "juta": "juta", "m": "miliar", "miliar": "miliar",
    "milyar": "miliar", "t": "triliun", "triliun": "triliun", "x": "kali", "kali": "kali", "an": "", "kg": "kg",
    "km": "km", "sr": "magnitudo", "th": "tahun", "thn": "tahun",
}
