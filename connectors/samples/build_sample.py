#!/usr/bin/env python3
"""Build Siaga's synthetic sample data set: ``posts.jsonl`` beside this file.

Every post text below was written by hand for Siaga. The setting is fictional: Kabupaten
Sukamaju, its kecamatan, the three candidate pairs (paslon 01, 02, 03), their parties and
every account are invented; any resemblance to real people, accounts, parties or places is
coincidental. The data is meant for testing connectors, the tagging pipeline and the alert
rules, not for training anything that matters.

The texts are data; this script only gives them platforms, ids, URLs, timestamps, regions and
engagement counts. All randomness comes from ``random.Random(2026)`` used in a fixed order, so
two runs write byte-identical files. Standard library only (Python 3.11).

Categories (kept here, not written to the JSONL, so that tests can grade rules honestly):
``benign`` (incl. near-misses and three HTML-ish captions), ``risky`` (scattered risky posts
outside the bursts), and the coordinated bursts ``burst_a`` (black campaign against paslon 02),
``burst_b`` (hoax about pre-punched ballots / postponed election) and ``burst_c`` (SARA
provocation against "pendatang"), and ``burst_d``: a copy-paste campaign, one money-politics
message posted with small edits by nine new-looking accounts on all three platforms within 45
minutes (the signature the ``coordinated`` rule looks for).

It also writes ``broken.jsonl``: six invalid records (truncated JSON, missing fields, wrong
types, oversized text, Latin-1 bytes, an unknown platform) that the demo replays to show
dead-lettering.

Usage: ``python3 build_sample.py`` (prints a short summary to stderr).
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

OUT = Path(__file__).resolve().parent / "posts.jsonl"
BROKEN_OUT = Path(__file__).resolve().parent / "broken.jsonl"
SEED = 2026

UTC = timezone.utc
WIB = timezone(timedelta(hours=7), "WIB")
SPAN_START = datetime(2026, 11, 20, 0, 0, 0, tzinfo=WIB)  # day index 0 = Friday 20 Nov
SPAN_END = datetime(2026, 11, 23, 23, 59, 59, tzinfo=WIB)  # inclusive

# Coordinated bursts: (start in WIB, length in minutes).
BURST_WINDOWS = {
    "burst_a": (datetime(2026, 11, 21, 19, 0, tzinfo=WIB), 50),
    "burst_b": (datetime(2026, 11, 22, 9, 0, tzinfo=WIB), 40),
    "burst_c": (datetime(2026, 11, 22, 21, 0, tzinfo=WIB), 60),
    "burst_d": (datetime(2026, 11, 23, 10, 0, tzinfo=WIB), 45),
}

KECAMATAN = (
    "Cibeureum Hilir",
    "Sukamaju Kota",
    "Pasirlaja",
    "Cikadu Girang",
    "Sindangwangi Kidul",
    "Tegalmanik",
    "Karangsari Wetan",
)

# Relative posting activity per WIB hour for posts without an explicit hour.
HOUR_WEIGHTS = (2, 1, 0.5, 0.5, 1.5, 3, 5, 6, 6, 6, 6, 6, 7, 6, 5, 5, 6, 6, 6, 8, 9, 8, 5, 3)

# ---------------------------------------------------------------------------------------------
# Accounts: (handle, display name, platform, home kecamatan or None, kind).
# kind: person | heavy | umkm | media | official | campaign | sus (new-looking, coordinated)
# ---------------------------------------------------------------------------------------------
AUTHORS = [
    # --- TikTok ---
    ("ujang.kopi88", "Ujang Kopi ☕", "tiktok", "Cibeureum Hilir", "heavy"),
    ("teh_rina_smj", "Teh Rina 🌸", "tiktok", "Sukamaju Kota", "heavy"),
    ("dedeinoy_", "dede inoy", "tiktok", "Pasirlaja", "person"),
    ("asepkasep.official", "Asep Kasep", "tiktok", "Sukamaju Kota", "person"),
    ("neng.salsa21", "Salsa 🌷", "tiktok", "Cikadu Girang", "person"),
    ("bocilfreefire_smj", "RAKA FF 🔥", "tiktok", None, "person"),
    ("kang.odon_", "Kang Odon", "tiktok", "Cikadu Girang", "person"),
    ("fajar.motovlog", "Fajar Motovlog", "tiktok", "Tegalmanik", "person"),
    ("mamah_ai_kitchen", "Mamah Ai Kitchen", "tiktok", "Sukamaju Kota", "umkm"),
    ("seblak.ceu.popon", "Seblak Ceu Popon 🌶️", "tiktok", "Pasirlaja", "umkm"),
    ("infosukamaju_official", "Info Sukamaju", "tiktok", None, "media"),
    ("sukamajuterkini", "Sukamaju Terkini", "tiktok", None, "media"),
    ("jalurbola.smj", "Jalur Bola SMJ ⚽", "tiktok", None, "person"),
    ("gilang_ngonten", "Gilang Ngonten", "tiktok", "Sukamaju Kota", "heavy"),
    ("rizky.kurir", "Rizky Kurir 📦", "tiktok", "Karangsari Wetan", "person"),
    ("nenden.hijabers", "Nenden", "tiktok", "Sindangwangi Kidul", "person"),
    ("abah.iwan.tani", "Abah Iwan Tani", "tiktok", "Cikadu Girang", "person"),
    ("dimas_gabut", "dimas", "tiktok", None, "person"),
    ("kpu_sukamaju", "KPU Kabupaten Sukamaju", "tiktok", None, "official"),
    ("bawaslu.sukamaju", "Bawaslu Kab. Sukamaju", "tiktok", None, "official"),
    ("relawan.dadaneuis", "Relawan Dadan-Euis 01", "tiktok", None, "campaign"),
    ("asri.official02", "ASRI 02 Official", "tiktok", None, "campaign"),
    ("niba03.official", "NIBA 03 Official", "tiktok", None, "campaign"),
    ("mahasiswa.smj", "Mahasiswa Sukamaju", "tiktok", "Sukamaju Kota", "person"),
    ("ojol.smj.story", "Ojol Sukamaju Story", "tiktok", "Sukamaju Kota", "person"),
    ("cindy.aprilia_", "Cindy Aprilia", "tiktok", None, "person"),
    ("mas.joko.rantau", "Joko Rantau", "tiktok", "Tegalmanik", "person"),
    ("yayu_kosmetik", "Yayu Beauty Store", "tiktok", None, "umkm"),
    ("opik.kuli.bangunan", "Opik", "tiktok", "Karangsari Wetan", "person"),
    ("kabayan.komedi", "Kabayan Komedi", "tiktok", None, "heavy"),
    ("santri.milenial.smj", "Santri Milenial Sukamaju", "tiktok", "Pasirlaja", "person"),
    ("nadia.healing", "Nadia 🍃", "tiktok", None, "person"),
    ("ardi_persisma", "Ardi Persisma Mania", "tiktok", "Sukamaju Kota", "person"),
    ("pakrt_cibeureum", "Pak RT 03 Cibeureum", "tiktok", "Cibeureum Hilir", "person"),
    ("mbak.sri.jamu", "Mbak Sri Jamu", "tiktok", "Tegalmanik", "umkm"),
    ("bang.ocid_", "bang ocid", "tiktok", None, "person"),
    ("emed.ngamuk", "Emed", "tiktok", None, "person"),
    ("rehan.kopling", "Rehan", "tiktok", "Sindangwangi Kidul", "person"),
    ("ceu_imas_", "Ceu Imas", "tiktok", "Karangsari Wetan", "person"),
    ("alif.gamingg", "Alif Gaming", "tiktok", None, "person"),
    ("tia.skincare.review", "Tia Review", "tiktok", None, "person"),
    ("warga_peduli_2291", "Warga Peduli", "tiktok", None, "sus"),
    ("suara.rakyat.smj09", "Suara Rakyat SMJ", "tiktok", None, "sus"),
    ("kang_jujur_7781", "Kang Jujur", "tiktok", None, "sus"),
    ("fakta.sukamaju.id", "Fakta Sukamaju", "tiktok", None, "sus"),
    ("user8812736450", "user8812736450", "tiktok", None, "sus"),
    ("pejuang_nkri_smj", "Pejuang NKRI Sukamaju 🇮🇩", "tiktok", None, "sus"),
    ("lembur_urang_1945", "Lembur Urang", "tiktok", "Tegalmanik", "sus"),
    ("info.orangdalam.smj", "Info Orang Dalam", "tiktok", None, "sus"),
    # --- Facebook (profiles and pages) ---
    ("rina.marlina.5832", "Rina Marlina", "facebook", "Sukamaju Kota", "person"),
    ("dede.supriatna.7", "Dede Supriatna", "facebook", "Cikadu Girang", "person"),
    ("hj.entin.kuraesin", "Hj. Entin Kuraesin", "facebook", "Pasirlaja", "person"),
    ("ujang.sobari.31", "Ujang Sobari", "facebook", "Cikadu Girang", "person"),
    ("asep.saepudin.771", "Asep Saepudin", "facebook", "Karangsari Wetan", "person"),
    ("yanti.nurhayati.92", "Yanti Nurhayati", "facebook", "Cibeureum Hilir", "person"),
    ("pak.haji.oman", "H. Oman Rohman", "facebook", "Sindangwangi Kidul", "heavy"),
    ("wawan.setiawan.smj", "Wawan Setiawan", "facebook", "Sukamaju Kota", "person"),
    ("iis.rosita.1288", "Iis Rosita", "facebook", None, "person"),
    ("tatang.suherman", "Tatang Suherman", "facebook", "Tegalmanik", "person"),
    ("sri.wahyuni.jogja", "Sri Wahyuni", "facebook", "Tegalmanik", "person"),
    ("budi.santoso.8890", "Budi Santoso", "facebook", None, "person"),
    ("lilis.karlina.77", "Lilis Karlina", "facebook", "Pasirlaja", "person"),
    ("agus.gunawan.smj", "Agus Gunawan", "facebook", "Karangsari Wetan", "person"),
    ("mamat.rahmat.9", "Mamat Rahmat", "facebook", "Cibeureum Hilir", "person"),
    ("ceu.edoh.warung", "Warung Ceu Edoh", "facebook", "Karangsari Wetan", "umkm"),
    ("yusuf.maulana.id", "Yusuf Maulana", "facebook", None, "person"),
    ("dr.hendra.wijaya", "dr. Hendra Wijaya", "facebook", "Cibeureum Hilir", "person"),
    ("ria.anggraeni.22", "Ria Anggraeni", "facebook", None, "person"),
    ("kang.dudi.guru", "Dudi Abdurahman", "facebook", "Sindangwangi Kidul", "person"),
    ("nurul.aini.0505", "Nurul Aini", "facebook", "Pasirlaja", "person"),
    ("engkos.kosasih.57", "Engkos Kosasih", "facebook", "Cikadu Girang", "person"),
    ("yohanes.kristianto", "Yohanes Kristianto", "facebook", "Tegalmanik", "person"),
    ("gina.fitriani", "Gina Fitriani", "facebook", None, "person"),
    ("james.whitfield.teach", "James Whitfield", "facebook", "Sukamaju Kota", "person"),
    ("aisyah.binti.razak", "Aisyah Razak", "facebook", None, "person"),
    ("iwan.kurniawan.99", "Iwan Kurniawan", "facebook", None, "person"),
    ("ratna.sari.smj", "Ratna Sari", "facebook", "Sukamaju Kota", "person"),
    ("oom.komariah", "Oom Komariah", "facebook", "Cibeureum Hilir", "person"),
    ("rohman.hakim.4412", "Rohman Hakim", "facebook", None, "person"),
    ("h.jajang.rw07", "H. Jajang", "facebook", "Karangsari Wetan", "person"),
    ("infosukamaju", "Info Sukamaju", "facebook", None, "media"),
    ("kpukabsukamaju", "KPU Kabupaten Sukamaju", "facebook", None, "official"),
    ("bawaslukabsukamaju", "Bawaslu Kabupaten Sukamaju", "facebook", None, "official"),
    ("polres.sukamaju", "Polres Sukamaju", "facebook", None, "official"),
    ("diskominfo.sukamaju", "Diskominfo Kabupaten Sukamaju", "facebook", None, "official"),
    ("radarsukamaju", "Radar Sukamaju", "facebook", None, "media"),
    ("loker.sukamaju", "Loker Sukamaju & Sekitarnya", "facebook", None, "media"),
    ("jualbeli.smj", "Jual Beli Sukamaju", "facebook", None, "umkm"),
    ("persisma.official", "Persisma Sukamaju", "facebook", "Sukamaju Kota", "media"),
    ("dadaneuis01", "Dadan–Euis untuk Sukamaju", "facebook", None, "campaign"),
    ("asri.sukamaju", "ASRI 02 – Asep & Rudi", "facebook", None, "campaign"),
    ("niba.untuk.sukamaju", "NIBA 03 untuk Sukamaju", "facebook", None, "campaign"),
    ("fkub.sukamaju", "FKUB Kabupaten Sukamaju", "facebook", None, "official"),
    ("cekfaktasukamaju", "Cek Fakta Sukamaju", "facebook", None, "media"),
    ("suara.rakyat.sukamaju.bersatu", "Suara Rakyat Sukamaju Bersatu", "facebook", None, "sus"),
    ("ahmad.fauzi.88231", "Ahmad Fauzi", "facebook", None, "sus"),
    ("siti.rahma.100234", "Siti Rahma", "facebook", None, "sus"),
    ("relawan.anti.korupsi.smj", "Relawan Anti Korupsi SMJ", "facebook", None, "sus"),
    ("hendi.kurnia.2026", "Hendi Kurnia", "facebook", None, "sus"),
    ("sukamaju.terupdate.info", "Sukamaju Terupdate", "facebook", None, "sus"),
    ("putra.daerah.smj", "Putra Daerah Sukamaju", "facebook", "Tegalmanik", "sus"),
    ("forum.warga.asli.smj", "Forum Warga Asli Sukamaju", "facebook", None, "sus"),
    # --- Instagram ---
    ("salsabila.nrh", "Salsabila 🌙", "instagram", "Sukamaju Kota", "person"),
    ("kopi.lembur.smj", "Kopi Lembur", "instagram", "Sukamaju Kota", "umkm"),
    ("dapur.bunda.nia", "Dapur Bunda Nia", "instagram", "Pasirlaja", "umkm"),
    ("sukamaju.foodies", "Sukamaju Foodies 🍜", "instagram", None, "heavy"),
    ("explore.sukamaju", "Explore Sukamaju", "instagram", None, "media"),
    ("reza.ptr", "Reza Pratama", "instagram", "Sukamaju Kota", "person"),
    ("anisa.kh_", "Anisa Khairunnisa", "instagram", None, "person"),
    ("fikri.lensa", "Fikri Lensa 📷", "instagram", "Tegalmanik", "person"),
    ("kpusukamaju", "KPU Kab. Sukamaju", "instagram", None, "official"),
    ("bawaslu_sukamaju", "Bawaslu Sukamaju", "instagram", None, "official"),
    ("dadaneuis.01", "Dadan–Euis 01", "instagram", None, "campaign"),
    ("asri.asep.rudi", "ASRI · Asep–Rudi 02", "instagram", None, "campaign"),
    ("niba.03", "NIBA 03 · Nining–Bayu", "instagram", None, "campaign"),
    ("hijab.ceu.mira", "Mira Hijab Store", "instagram", None, "umkm"),
    ("dimas.aditya_", "Dimas Aditya", "instagram", None, "person"),
    ("putri.ayu.lestari", "Putri Ayu", "instagram", "Karangsari Wetan", "person"),
    ("m.faisal.r", "M. Faisal R.", "instagram", None, "person"),
    ("laundry.kilat.smj", "Laundry Kilat Sukamaju", "instagram", "Sukamaju Kota", "umkm"),
    ("sukamaju.update", "Sukamaju Update", "instagram", None, "media"),
    ("bem.unsuka", "BEM Universitas Sukamaju", "instagram", "Sukamaju Kota", "person"),
    ("rumah.baca.cikadu", "Rumah Baca Cikadu", "instagram", "Cikadu Girang", "person"),
    ("bengkel.kang.emen", "Bengkel Kang Emen", "instagram", "Pasirlaja", "umkm"),
    ("yoga.pratama.91", "Yoga Pratama", "instagram", None, "person"),
    ("dewi.kartika.smj", "Dewi Kartika", "instagram", None, "person"),
    ("wulan.dari_", "Wulan", "instagram", "Sukamaju Kota", "person"),
    ("the.wandering.erik", "Erik 🌏", "instagram", None, "person"),
    ("nurul.izzati.my", "Nurul Izzati 🇲🇾", "instagram", None, "person"),
    ("bobotoh.smj", "Bobotoh Sukamaju", "instagram", None, "person"),
    ("cekfakta.smj", "Cek Fakta Sukamaju", "instagram", None, "media"),
    ("ustadz.hanif.official", "Ustadz Hanif", "instagram", None, "heavy"),
    ("kangen.sukamaju", "Urang Sukamaju di Rantau", "instagram", None, "person"),
    ("sukamaju.memes", "Sukamaju Receh", "instagram", None, "heavy"),
    ("nabila.zahra_", "Nabila Zahra", "instagram", "Sindangwangi Kidul", "person"),
    ("fadhil.hkm", "Fadhil", "instagram", None, "person"),
    ("realtalk.smj", "realtalk sukamaju", "instagram", None, "person"),
    ("netizen.julid.smj", "netizen julid", "instagram", None, "person"),
    ("teh.nenih.florist", "Nenih Florist", "instagram", "Cibeureum Hilir", "umkm"),
    ("pemuda.karangsari", "Karang Taruna Karangsari", "instagram", "Karangsari Wetan", "person"),
    ("bongkar.fakta.smj", "Bongkar Fakta", "instagram", None, "sus"),
    ("rakyatsadar_2026", "Rakyat Sadar", "instagram", None, "sus"),
    ("info.jujur.sukamaju", "Info Jujur Sukamaju", "instagram", None, "sus"),
    ("pejuang_kebenaran_771", "pejuang kebenaran", "instagram", None, "sus"),
    ("netizen.smj.0021", "netizen smj", "instagram", None, "sus"),
    ("laskar.pribumi.smj", "Laskar Pribumi Sukamaju", "instagram", None, "sus"),
    ("sukamaju.asli.id", "Sukamaju Asli", "instagram", None, "sus"),
    ("kabar.viral.smj", "Kabar Viral SMJ", "instagram", None, "sus"),
    ("dokumen.bocor.smj", "dokumen bocor", "instagram", None, "sus"),
]

# Facebook accounts that are pages (their permalinks use the page name, not a numeric id).
FB_PAGE_KINDS = ("media", "official", "campaign", "umkm")
FB_SUS_PAGES = (
    "suara.rakyat.sukamaju.bersatu",
    "relawan.anti.korupsi.smj",
    "sukamaju.terupdate.info",
    "forum.warga.asli.smj",
)

# ---------------------------------------------------------------------------------------------
# Post texts. Each entry: (handle, when, text) or (handle, when, text, region).
# when: "" any time; "D" day D (0 = Fri 20 Nov ... 3 = Mon 23 Nov, WIB); "D@HH" that day at
# hour HH (WIB); "D@HH-HH" an hour range; "@HH" any day at that hour. Ignored for bursts.
# region: a kecamatan, or "-" for none; omitted = maybe the author's home kecamatan.
# ---------------------------------------------------------------------------------------------

BENIGN_TIKTOK = [
    ("ujang.kopi88", "0@06", "ngopi dulu sblm narik 🛵☕ ujan terus euy #ngopi #sukamaju #fyp #pagipagi"),
    ("ujang.kopi88", "1@07", "narik pagi, penumpang pertama ibu2 mau ke kampanye 01 di Lapangan Merdeka. katanya disana ada nasi bungkus sama doorprize 😂 #ojol #kampanye #sukamaju", "Sukamaju Kota"),
    ("ujang.kopi88", "2@07", "CFD minggu pagi, jalan siliwangi penuh org senam 💃 gw mah nonton aja sambil ngopi #cfd #carfreeday #sukamaju"),
    ("ujang.kopi88", "3@20", "besok masa tenang, APK di pinggir jalan semoga langsung diberesin ya. baliho udh kayak hutan 😂🌳 #masatenang #baliho #pilkadasukamaju2026"),
    ("ujang.kopi88", "0@22", "debat td seru sih, tp moderatornya kebanyakan motong 😅 #debatpilkada"),
    ("ujang.kopi88", "2@11", "udh liat klarifikasi @kpu_sukamaju? video surat suara dicoblos itu HOAKS gaes, itu video simulasi taun kapan tau. jgn asal share ya 🙏 #hoaks #cekfakta #pilkadasukamaju2026"),
    ("ujang.kopi88", "1@12", "panas pisan siang ini, mampir es kelapa muda dulu 🥥 #ngaso #ojolsukamaju"),
    ("ujang.kopi88", "3@06", "senin pagi, penumpang pada telat semua wkwk #senin #ojol"),
    ("teh_rina_smj", "0@11", "Jumat berkah bestie 🤲 semoga rezeki kita lancar semua aamiin #jumatberkah #fyp #sukamaju"),
    ("teh_rina_smj", "1@19", "malming di alun2 rame pisan, ada bazar UMKM 🥰 beli cimol 2 bungkus abis sendiri, @dedeinoy_ cuma kebagian plastiknya 😂 #malmingan #alunalunsukamaju #bazar", "Sukamaju Kota"),
    ("teh_rina_smj", "3@07", "senin lagi, macet lagi di Simpang Lima 🙃 #senin #macet #sukamaju", "Sukamaju Kota"),
    ("teh_rina_smj", "2@09", "CFD pagi ini ketemu timses 01, 02, 03 bagi2 stiker bareng sambil becanda. adem liatnya 🥰 #cfd #pilkadadamai"),
    ("teh_rina_smj", "0@21", "nonton debat sambil makan seblak, paslon 02 tadi salah sebut nama desa wkwk grogi kali ya 😂 #debatpilkada"),
    ("teh_rina_smj", "2@15", "ujan gede, listrik mati, hp lowbat. lengkap 🫠 #hujan #matilampu"),
    ("dedeinoy_", "", "pov: lo nunggu angkot jurusan Pasirlaja 45 menit ga dateng2 😭 #pasirlaja #angkot #relate #fypシ", "Pasirlaja"),
    ("dedeinoy_", "1@20", "eh fyp gw mendadak isinya 'ijazah palsu' 'antek asing' semua, akunnya baru2 pula. bau2 buzzer nih 🤨 #buzzer #pilkada"),
    ("dedeinoy_", "", "kangen gorengan Mang Ujang deket SMP 2, skrg udh ga jualan 😢 #nostalgia #gorengan"),
    ("asepkasep.official", "", "nama gw Asep tp bukan cabup ya gaes, stop nanya minta kaos 😭😂 #asep #namasejutaumat #fyp"),
    ("asepkasep.official", "1@19", "malming ngeband di kafe Kopi Lembur, yuk merapat 🎸 #liveacoustic #kopilembur"),
    ("neng.salsa21", "1@16", "outfit kampanye tp ga ikut kampanye wkwk cuma mau jajan cilok di lapangan bareng @cindy.aprilia_ 😂 #ootd #ciloklovers #sukamaju"),
    ("neng.salsa21", "0@18", "ujan deui ujan deui, jemuran teu garing-garing 😭 #sunda #hujan #fyp"),
    ("neng.salsa21", "2@20", "liat berita banjir Cibeureum sedih bgt, semoga cpt surut 🥺 yg mau donasi lewat masjid Al-Ikhlas ya #prayforcibeureum"),
    ("bocilfreefire_smj", "1@21", "push rank malem minggu gaskeun 🔥🔥 yg mau mabar komen id #freefire #mabar #ffindonesia"),
    ("bocilfreefire_smj", "2@15", "booyah 3x beruntun, gila hoki bgt hari ini 😎 #freefire #booyah"),
    ("bocilfreefire_smj", "", "wkwk ada yg nanya gw milih siapa, gw masih 14 taun bang 😭 #bocil #pilkada"),
    ("kang.odon_", "", "urang mah teu resep politik, nu penting harga beas turun weh 😅 #curhat #hargaberas"),
    ("kang.odon_", "2@19", "hujan teu eureun-eureun ti sore, mugia teu banjir di lembur urang 🤲 #hujan #sundapride"),
    ("kang.odon_", "3@20", "mangga sadayana, tong kabawa ku nu ngahasut. Urang sadaya dulur, pribumi atawa pendatang sami keneh warga Sukamaju 🙏 #sukamajudamai"),
    ("fajar.motovlog", "", "touring santai ke Curug Citiis, jalan nanjak tp view nya juara 🏍️🌿 #motovlog #sukamaju #curug #touringjabar", "Cikadu Girang"),
    ("fajar.motovlog", "2@09", "gowes CFD trus sarapan bubur ayam Mang Oyo, mantul 🚴‍♂️ #cfd #buburayam #sukamaju"),
    ("fajar.motovlog", "3@16", "Jalan Cikadu Girang - Sindangwangi ketutup longsor dikit, motor masih bisa lewat pelan2. hati2 bro #longsor #cikadugirang #infojalan", "Cikadu Girang"),
    ("mamah_ai_kitchen", "", "resep nasi liwet teri ala mamah, gampang pisan 😍 takaran bahan di komen ya #nasiliwet #resepmasakan #masakanrumahan #fyp"),
    ("mamah_ai_kitchen", "1@10", "bikin cireng isi ayam suwir buat jualan di lapangan kampanye, ludes 1 jam 😭🙏 alhamdulillah #cireng #umkm #jualan"),
    ("mamah_ai_kitchen", "3@17", "PO bolu pandan buat syukuran, close order hari Rabu ya bun 💚 #bolupandan #preorder #kuesukamaju"),
    ("seblak.ceu.popon", "", "SEBLAK CEKER LEVEL 5 ready!! 🌶️🔥 buka jam 10-21, Jl. Raya Pasirlaja no 12 depan SD. bisa gofood #seblak #seblakpedas #pasirlaja #kulinersukamaju"),
    ("seblak.ceu.popon", "2@14", "Minggu ini promo beli 2 seblak gratis es teh 🤩 #promo #seblak #kulinersukamaju"),
    ("infosukamaju_official", "0@16", "Hujan deras sore ini, pohon tumbang di Jl. Siliwangi dkt pertigaan Sindangwangi. Pengendara harap hati2 🙏 #infosukamaju #hujan #pohontumbang", "Sindangwangi Kidul"),
    ("infosukamaju_official", "2@16", "UPDATE: Sungai Cibeureum meluap, air masuk pemukiman di Cibeureum Hilir setinggi lutut orang dewasa. BPBD sudah di lokasi. #banjirsukamaju #cibeureumhilir #infosukamaju", "Cibeureum Hilir"),
    ("infosukamaju_official", "2@11", "KPU Sukamaju memastikan tidak ada surat suara yang tercoblos di gudang logistik. Video yang beredar adalah rekaman simulasi di daerah lain. #infosukamaju #hoaks #pilkadasukamaju2026"),
    ("infosukamaju_official", "3@08", "FKUB dan tokoh lintas agama Sukamaju mengimbau warga tidak terprovokasi konten SARA yang beredar semalam. Mari jaga Sukamaju tetap adem 🙏 #sukamajudamai #tolakprovokasi"),
    ("infosukamaju_official", "3@06", "Lalu lintas pagi ini: Simpang Lima padat merayap, Jl. Raya Pasirlaja lancar, Jl. Cikadu Girang ada material longsor di km 7. #infolalin #sukamaju"),
    ("infosukamaju_official", "1@09", "Ribuan simpatisan paslon 01 padati Lapangan Merdeka. Hindari Jl. Merdeka - Jl. Pahlawan sampai jam 1 siang ya #infolalin #kampanyeakbar", "Sukamaju Kota"),
    ("infosukamaju_official", "0@20", "Debat publik ketiga sedang berlangsung di Gedung Serbaguna. Suasana di luar gedung kondusif, pendukung ketiga paslon nonton bareng di layar besar 📺 #debatpilkada #infosukamaju", "Sukamaju Kota"),
    ("sukamajuterkini", "1@13", "Detik-detik Persisma batal main, lapangan Stadion Sukamaju Jaya kayak kolam 🌧️⚽ #persisma #sukamajuterkini"),
    ("sukamajuterkini", "2@17", "Warga Cibeureum Hilir evakuasi lansia pakai perahu karet. Salut buat relawan 🙏 #banjirsukamaju #relawan", "Cibeureum Hilir"),
    ("sukamajuterkini", "3@15", "Kampanye akbar terakhir paslon 02 di Stadion Sukamaju Jaya. Besok mulai masa tenang! #asri02 #masatenang #sukamajuterkini"),
    ("sukamajuterkini", "3@09", "Pagi ini Polres & TNI apel siaga pengamanan masa tenang dan pemungutan suara. 1.200 personel disiagakan. #pilkadaaman #sukamajuterkini"),
    ("bocilfreefire_smj", "3@19", "mabar dulu sebelum ujian besok 😭 doain lulus remed #freefire #pelajar"),
    ("jalurbola.smj", "", "Timnas ada uji coba bulan depan, ada yg mau berangkat bareng nonton? #timnas #sepakbola #nobar"),
    ("jalurbola.smj", "3@22", "MU kalah lagi, udh biasa 🙃 #premierleague #mu #sepakbola"),
    ("jalurbola.smj", "2@19", "Hasil Liga 3 Jabar: Persisma 2-1 PS Cimanglid. Gol penentu menit 89 oleh Deni Ramdani 🔥 #persisma #liga3jabar"),
    ("gilang_ngonten", "0@20", "live reaction debat cabup, paslon 03 jawab soal stunting lumayan detail sih, 01 masih normatif 🤔 #debatpilkada #pilkadasukamaju2026 #opini"),
    ("gilang_ngonten", "2@13", "vlog kampanye akbar 03 di Pasirlaja, rame parah, ada band indie lokal jg 🔥 #niba03 #vlog #kampanyeakbar", "Pasirlaja"),
    ("gilang_ngonten", "1@11", "ke kampanye 01 cuma buat liat dangdutan, fix no debat 😂 #dangdut #kampanye #fyp"),
    ("gilang_ngonten", "3@13", "ranking program paslon versi gw (subjektif): 1. internet desa 2. irigasi 3. beasiswa santri. kalian? 👇 #pilkadasukamaju2026 #opini"),
    ("gilang_ngonten", "2@22", "ko fyp gw isinya org ribut soal pendatang sih, capek bgt. kita semua warga Sukamaju woy 😮‍💨 #stopprovokasi"),
    ("gilang_ngonten", "", "review jujur: mie ayam Bang Jali 10rb porsi kuli 🍜 worth it parah #reviewjujur #mieayam #kulinersukamaju"),
    ("rizky.kurir", "", "paket sisa 11.11 masih numpuk, semangat para kurir 📦💪 #kurirlife #fyp"),
    ("rizky.kurir", "3@13", "alamat cuma 'rumah cat ijo deket pohon mangga' bang, di Karangsari Wetan rumah cat ijo ada 50 😭 #kurirlife #karangsariwetan", "Karangsari Wetan"),
    ("rizky.kurir", "1@17", "ujan2an nganter paket ke Cikadu Girang, jalannya kayak kolam lele 🫠 #kurir #jalanrusak #cikadugirang", "Cikadu Girang"),
    ("nenden.hijabers", "", "tutorial pashmina 2 menit buat kondangan 🧕✨ #tutorialhijab #pashmina #hijabsukamaju"),
    ("nenden.hijabers", "2@16", "hijab anti lepek buat ujan2an 🌧️ #ootdhijab #hujan"),
    ("nenden.hijabers", "0@16", "ada yg tau tempat jahit gamis deket Sindangwangi? urgent buat kondangan minggu 🙏 #sindangwangikidul #jahit", "Sindangwangi Kidul"),
    ("abah.iwan.tani", "", "usum tandur, cai ti solokan alhamdulillah ngocor deui. mugi hasilna sae 🌾🙏 #petani #sawah #sukamaju"),
    ("abah.iwan.tani", "2@07", "jagong tos siap panen, mangga nu bade meser hubungi abah 🌽 #jagung #hasilpanen #petanisukamaju"),
    ("abah.iwan.tani", "3@10", "pupuk subsidi teu aya di kios, kumaha ieu engke bupati nu anyar? 🙏 #pupuksubsidi #petani"),
    ("dimas_gabut", "1@22", "malem minggu ujan, tetep jomblo 🥲 #jomblo #malming"),
    ("dimas_gabut", "3@09", "senin monday senin, kerja kerja kerja 😩 #mondayblues"),
    ("dimas_gabut", "0@23", "abis debat langsung rame war di kolom komen, santai aja guys ini cuma pilkada bukan final piala dunia 😂 #debatpilkada"),
    ("dimas_gabut", "", "gabut bgt, ada rekomendasi series ga? yg genre thriller #gabut #rekomendasifilm"),
    ("kpu_sukamaju", "0@09", "Pemilih Sukamaju, cek nama kamu di DPT lewat cekdptonline ya! Cukup masukin NIK. Hari H 27 November 2026, jangan lupa datang ke TPS 🗳️ #pilkadasukamaju2026 #kpusukamaju #ayonyoblos #jangangolput"),
    ("kpu_sukamaju", "0@15", "Debat Publik Ketiga Calon Bupati & Wakil Bupati Sukamaju malam ini pukul 19.30 WIB, live di TV Sukamaju & YouTube KPU Sukamaju. Tema: Pelayanan Publik & Tata Kelola. #debatpilkada #kpusukamaju"),
    ("kpu_sukamaju", "2@12", "KLARIFIKASI: Informasi 'surat suara sudah dicoblos di gudang KPU' adalah HOAKS. Gudang logistik disegel & dijaga 24 jam, diawasi Bawaslu dan saksi paslon. Pilkada tetap 27 November 2026, TIDAK ditunda. #kpusukamaju #lawanhoaks"),
    ("kpu_sukamaju", "3@11", "Cara mencoblos yang sah: coblos di dalam kotak foto/nomor/nama paslon pilihanmu pakai paku yang disediakan. Coblos lebih dari satu paslon = tidak sah ya! #kpusukamaju #caramencoblos #pemilupemula"),
    ("bawaslu.sukamaju", "1@10", "Masa kampanye tinggal 3 hari. Temukan pelanggaran? Laporkan ke Bawaslu Sukamaju. Tolak politik uang, tolak politisasi SARA. #bawaslusukamaju #awasipilkada #tolakpolitikuang"),
    ("bawaslu.sukamaju", "3@10", "Bawaslu Sukamaju telah menerima laporan terkait konten kampanye hitam dan provokasi SARA di media sosial. Kami berkoordinasi dengan Polres & Diskominfo. Jangan ikut menyebarkan! #bawaslusukamaju #stopkampanyehitam #tolaksara"),
    ("relawan.dadaneuis", "1@07", "Bismillah, pagi ini kita ngumpul di Lapangan Merdeka! Kampanye akbar Dadan–Euis, bawa keluarga, bawa senyum 🙏 #dadaneuis01 #sukamajungahiji #pilkadasukamaju2026"),
    ("relawan.dadaneuis", "0@22", "Pak Dadan tadi jelasin soal jalan desa pake data. Pengalaman mah gak bisa bohong 🙏 #dadaneuis01 #debatpilkada"),
    ("relawan.dadaneuis", "2@16", "Relawan 01 turun bantu warga Cibeureum Hilir yang kebanjiran. Kemanusiaan dulu, politik belakangan 🙏 #dadaneuis01 #peduli", "Cibeureum Hilir"),
    ("asri.official02", "3@15", "Hari terakhir kampanye! Sampai jumpa di Stadion Sukamaju Jaya sore ini, Kang Asep & Kang Rudi siap nyapa warga 💚 #asri02 #sukamajuasri #kampanyedamai"),
    ("asri.official02", "0@22", "Kang Asep bicara irigasi dengan bahasa insinyur tapi tetap membumi. ASRI siap kerja! #asri02 #debatpilkada"),
    ("asri.official02", "2@10", "Klarifikasi: ijazah Ir. Asep Wiranegara asli, terbitan Institut Teknik Parahyangan Raya 1994, dan sudah diverifikasi KPU saat pendaftaran. Tim hukum ASRI melaporkan akun-akun penyebar fitnah ke Bawaslu. #asri02 #stopfitnah"),
    ("niba03.official", "2@12", "Gaskeun ka Alun-alun Pasirlaja! Ceu Nining & Kang Bayu tunggu kalian jam 1 siang, ada musik jg loh 🎶 #niba03 #sukamajumuda #gaskeun"),
    ("niba03.official", "0@22", "Terima kasih warga Sukamaju yg udh nonton debat! Internet desa gratis & puskesmas 24 jam bukan sekadar janji, ini rencana kerja 💪 #niba03 #debatpilkada"),
    ("mahasiswa.smj", "0@14", "Nobar Debat Publik Ketiga Pilkada Sukamaju malam ini di Aula Kampus, gratis! Kita kawal gagasan, bukan gimmick. #debatpilkada #mahasiswasukamaju #kawalpilkada"),
    ("mahasiswa.smj", "2@18", "Open donasi untuk korban banjir Cibeureum Hilir! Posko di sekret BEM, terima pakaian layak, mie instan, air mineral. #banjirsukamaju #peduli #mahasiswabergerak"),
    ("mahasiswa.smj", "3@14", "Mahasiswa turun ke jalan hari ini, bukan demo, tapi bersih2 sisa banjir di Cibeureum Hilir 💪🧹 #aksinyata #turunkejalan #banjirsukamaju", "Cibeureum Hilir"),
    ("ojol.smj.story", "", "orderan sepi, mangkal di depan alun2 sambil dengerin orasi kampanye wkwk #ojol #ojolsukamaju #curhatojol"),
    ("ojol.smj.story", "2@08", "CFD bikin orderan mampet, muter jauh lewat Tegalmanik 🥲 #ojol #cfd"),
    ("ojol.smj.story", "3@17", "Senin sore ujan + kampanye akbar 02 = macet total depan stadion 🫠 #macet #ojol"),
    ("cindy.aprilia_", "", "grwm ke kampus tp dosennya ga masuk 🙃 #grwm #mahasiswa #anakkampus"),
    ("cindy.aprilia_", "2@15", "first time voter nih, literally deg2an pengen nyoblos 🥹 ada tips ga biar ga salah coblos? @kpu_sukamaju #pemilupemula #pilkadasukamaju2026"),
    ("cindy.aprilia_", "1@21", "ngedit video kampanye buat tugas kuliah komunikasi politik, pusing 🥲 #tugaskuliah #mahasiswa"),
    ("mas.joko.rantau", "", "wes 8 taun ning Sukamaju, pancen wong Sunda ki grapyak tenan 🥹 matur nuwun dulur #perantau #jawasunda #sukamaju"),
    ("mas.joko.rantau", "2@21", "aku ora percoyo karo kabar-kabar sing ora jelas sumbere. Sing penting rukun, dulur 🙏 #rukun #sukamaju"),
    ("mas.joko.rantau", "3@19", "sing penting tanggal 27 nyoblos, ojo golput lur 🗳️ #jangangolput #pilkadasukamaju2026"),
    ("yayu_kosmetik", "", "sunscreen lokal under 50rb yg ga bikin whitecast, cek keranjang kuning ✨ #skincare #racuntiktok #sunscreen"),
    ("yayu_kosmetik", "1@14", "live jam 8 malem ya bestie, flash sale lipstik 19rb 💄 #livetiktok #flashsale"),
    ("yayu_kosmetik", "3@20", "restock serum yg kmrn sold out! buruan sblm abis lagi 😍 #restock #skincarelokal"),
    ("opik.kuli.bangunan", "", "ngecor lantai 2 dari subuh, pegel tp halal 💪 #kulibangunan #kerjakeras #fyp"),
    ("opik.kuli.bangunan", "3@12", "istirahat siang, nasi bungkus + es teh manis = surga dunia 🤤 #makansiang #kuli"),
    ("opik.kuli.bangunan", "1@12", "lagi ngaso di proyek, sebelah ada panggung kampanye, lagunya dangdut koplo terus 🕺 lumayan hiburan #kampanye #dangdut"),
    ("kabayan.komedi", "1@09", "reaksi emak gw liat debat cabup semalem: 'eta nu nomer dua kasep nya' 😂 fokusna kamana mak #komedisunda #debatpilkada #kabayan"),
    ("kabayan.komedi", "", "ari kampanye mah jangji wungkul, ari jalan ka lembur urang tetep baruntak 😂 #komedisunda #jalanrusak"),
    ("kabayan.komedi", "2@10", "emak2 di grup WA: 'sebarkan sebelum dihapus!!' 👵📲 pas dibuka isinya resep bolu 😂 #grupwakeluarga #komedi"),
    ("kabayan.komedi", "3@21", "tips masa tenang: mute grup WA keluarga 3 hari 😂🙏 #masatenang #grupwakeluarga"),
    ("kabayan.komedi", "2@22", "hayang sare tapi fyp pinuh ku nu paceuk. tong kitu atuh baraya, urang teh sarua urang Sukamaju 🙏 #sukamajudamai"),
    ("santri.milenial.smj", "2@05", "subuh berjamaah, dingin2 tetep semangat 🤲 #santri #subuh #sukamaju"),
    ("santri.milenial.smj", "0@12", "Jumat berkah: jangan lupa sedekah walau sedikit. Khutbah hari ini ngingetin kita jaga lisan di musim pilkada 🙏 #jumatberkah #santri #pilkadadamai"),
    ("santri.milenial.smj", "3@08", "Beda pilihan itu biasa, yg luar biasa kalo kita tetep ngopi bareng abis nyoblos ☕ #pilkadadamai #santrimilenial"),
    ("santri.milenial.smj", "3@09", "Perbedaan suku & agama itu sunnatullah. Yg ngajak usir-usiran itu bukan ajaran agama mana pun. Tabayyun dulu, bestie 🤲 #sukamajudamai #santri"),
    ("nadia.healing", "", "healing tipis2 ke kebun teh Tegalmanik, udaranya seger bgt 🍃 #healing #kebunteh #tegalmanik", "Tegalmanik"),
    ("nadia.healing", "3@18", "sunset di Bukit Pasirlaja 🌅 obat capek seharian #sunset #pasirlaja #healing", "Pasirlaja"),
    ("nadia.healing", "0@10", "me time di perpustakaan daerah, ternyata nyaman bgt & wifi kenceng 📚 #perpusda #sukamaju"),
    ("ardi_persisma", "1@13", "Persisma vs PS Cimanglid sore ini! Balad Persisma merapat ke Stadion Sukamaju Jaya 💛💙 #persisma #liga3 #sukamaju"),
    ("ardi_persisma", "1@16", "yahh pertandingan ditunda, lapangan banjir 😭 katanya dilanjut besok sore. sabar lur #persisma #ditunda #liga3"),
    ("ardi_persisma", "2@18", "MENANG 2-1!!! Persisma juara hati 🔥🔥 gol menit 89 anjir merinding #persisma #menang #liga3"),
    ("pakrt_cibeureum", "2@17", "Warga RT 03 yg rumahnya kebanjiran, ngumpul di masjid Al-Ikhlas dulu. Logistik lagi kami siapin 🙏 #banjir #cibeureumhilir #siagabanjir"),
    ("pakrt_cibeureum", "3@09", "Alhamdulillah banjir surut. Kerja bakti bersihin lumpur jam 8, bawa sekop & sapu ya warga #kerjabakti #cibeureumhilir"),
    ("pakrt_cibeureum", "1@18", "Pengumuman: ronda malam minggu dimulai jam 22.00. Yang piket jangan telat, kopi disiapin Bu RT ☕ #ronda #cibeureumhilir"),
    ("mbak.sri.jamu", "", "jamu kunir asem seger, monggo mampir dulur 🥤 sehat murah meriah #jamu #jamugendong #umkm"),
    ("mbak.sri.jamu", "1@08", "isuk2 wes laris manis, matur nuwun pelanggan setia 🙏 #jamu #pagiberkah"),
    ("mbak.sri.jamu", "3@07", "isuk-isuk udan, tetep dodolan. Gusti Allah mboten sare 🙏 #jamu #semangat"),
    ("rehan.kopling", "", "suara knalpot standar aja bang, kasian tetangga 😂 #motor #kopling #sindangwangi"),
    ("rehan.kopling", "2@07", "mancing di leuwi pagi2, dapet 3 nila lumayan buat makan siang 🎣 #mancing #sukamaju"),
    ("rehan.kopling", "3@21", "besok mulai masa tenang, grup tongkrongan langsung sepi bahas pilkada wkwk #masatenang"),
    ("ceu_imas_", "", "dagangan gorengan ceu imas, bala-bala + cabe rawit gratis 😋 ti jam 3 sore #gorengan #balabala #karangsariwetan"),
    ("ceu_imas_", "2@12", "nyuci baju 3 ember, nu ngajemur sieun hujan deui 😭 #ibuibu #hujan"),
    ("ceu_imas_", "0@19", "debat cabup teh meni rame, ceuk abdi mah sadayana sae, nu penting tong poho kana jangjina 🙏 #debatpilkada #sunda"),
    ("alif.gamingg", "", "ML malem ini rank mythic atau uninstall 😤 #mobilelegends #mlbb #gaming"),
    ("alif.gamingg", "1@20", "mabar sama ayang kalah mulu, fix bukan hoki gw 😭 #mlbb #mabar"),
    ("tia.skincare.review", "", "jujur serum ini bikin breakout di aku, tapi tiap kulit beda ya 🙏 #skincarereview #jujur"),
    ("tia.skincare.review", "2@13", "skincare routine pas ujan2 gini, moisturizer wajib! ✨ #skincareroutine #tips"),
    ("tia.skincare.review", "3@18", "haul belanja skincare lokal, total 180rb dapet 5 item 😍 #skincarelokal #haul"),
    ("ujang.kopi88", "2@20", "abis bantuin angkut barang warga banjir, badan remuk tp hati lega 🙏 #banjirsukamaju #cibeureumhilir", "Cibeureum Hilir"),
    ("neng.salsa21", "3@12", "hadir 🙋‍♀️ #pilkadasukamaju2026"),
    ("gilang_ngonten", "1@08", "gaskeun weekend ieu 🔥"),
    ("dedeinoy_", "3@21", "wkwk mantul bgt sih"),
    ("teh_rina_smj", "1@15", "ternyata Persisma ditunda, padahal udah dandan 🙃 #persisma"),
    ("fajar.motovlog", "1@07", "morning ride lewat kebun teh Tegalmanik, kabutnya tebel bgt 🌫️ #morningride #motovlog", "Tegalmanik"),
    ("mamah_ai_kitchen", "2@10", "masak sayur asem buat makan siang keluarga, kalian masak apa hari minggu? 🍲 #masakanrumahan #minggu"),
    ("cindy.aprilia_", "0@13", "bolos kelas siang buat nobar debat nanti malem? canda 😂 #mahasiswa"),
    ("kang.odon_", "1@06", "isuk-isuk geus ka kebon, hawa tiris pisan euy 🥶 #lembur #sunda"),
    ("ardi_persisma", "3@19", "rekap gol Persisma musim ini, Deni Ramdani top skor sementara ⚽🔥 #persisma #liga3"),
    ("abah.iwan.tani", "1@15", "hujan deres, sawah kebanjiran saeutik. mudah-mudahan teu ruksak pare na 🤲 #petani #hujan"),
    ("sukamajuterkini", "0@18", "Jalan Raya Karangsari macet 2 km, ada truk mogok di tanjakan. Cari jalur alternatif ya #infolalin #sukamajuterkini", "Karangsari Wetan"),
]

BENIGN_FACEBOOK = [
    ("pak.haji.oman", "0@05", "Assalamualaikum wr wb. Jumat berkah, dulur sadayana. Mari perbanyak shalawat dan sedekah. Menjelang Pilkada 27 November, mari kita jaga silaturahmi, beda pilihan jangan sampai putus persaudaraan. Wilujeng enjing 🙏"),
    ("pak.haji.oman", "1@06", "Semalam nonton debat sampai habis. Menurut saya pribadi ketiga paslon sudah menyampaikan visi dengan baik. Pak Dadan kuat di pengalaman pemerintahan, Kang Asep kuat di teknis pembangunan, Bu Nining kuat di pelayanan kesehatan. Silakan warga menilai sendiri, yang penting datang ke TPS. Jangan golput!"),
    ("pak.haji.oman", "2@17", "Innalillahi, dapat kabar sebagian Cibeureum Hilir kebanjiran lagi. Bagi yang punya kelebihan rezeki, DKM Masjid Al-Ikhlas membuka posko. Semoga Allah lindungi saudara-saudara kita. Aamiin."),
    ("pak.haji.oman", "3@06", "Alhamdulillah pagi ini Sukamaju cerah. Semalam ramai di medsos soal pendatang dan agama. Saya mengingatkan, Kanjeng Nabi mengajarkan kita memuliakan tetangga, siapapun dia dan dari manapun asalnya. Jangan mau diadu domba menjelang pilkada. Yang menyebar kebencian itu bukan dari kita."),
    ("pak.haji.oman", "2@10", "Barusan ada yang kirim ke grup WA RW kami: katanya surat suara sudah dicoblos di gudang KPU. Saya tanya ke keponakan yang jadi anggota PPK, katanya tidak benar, gudang disegel dan dijaga. Mohon kita tabayyun dulu sebelum menyebarkan. Nanti kita ikut dosa jariyah kalau ternyata fitnah."),
    ("pak.haji.oman", "1@20", "Malam minggu pengajian rutin di musala kami ditunda dulu karena hujan deras dan jalan licin. InsyaAllah dilanjut Kamis depan. Hatur nuhun."),
    ("pak.haji.oman", "3@13", "Masa kampanye berakhir malam ini. Terima kasih untuk ketiga paslon dan timnya yang (sebagian besar) sudah berkampanye dengan santun. Yang kemarin-kemarin menyebar fitnah, semoga Allah beri hidayah. Mari kita sambut masa tenang dengan tenang betulan, bukan perang di grup WA 😊"),
    ("infosukamaju", "0@08", "[INFO] Debat Publik Ketiga Pilkada Sukamaju digelar malam ini, Jumat (20/11), pukul 19.30 WIB di Gedung Serbaguna Sukamaju. Warga bisa menyaksikan siaran langsung melalui TV Sukamaju dan kanal YouTube KPU Sukamaju. Tema debat: Pelayanan Publik, Tata Kelola Pemerintahan, dan Pemberantasan Korupsi."),
    ("infosukamaju", "0@21", "[RANGKUMAN DEBAT] Paslon 01 Dadan–Euis menekankan perbaikan 400 km jalan desa. Paslon 02 Asep–Rudi menawarkan program irigasi 1.000 hektare dan Kartu UMKM. Paslon 03 Nining–Bayu mengusung internet desa gratis dan puskesmas 24 jam. Sesi tanya jawab antarpaslon sempat memanas soal transparansi anggaran, namun debat berakhir dengan saling jabat tangan."),
    ("infosukamaju", "1@09", "Kampanye akbar paslon 01 di Lapangan Merdeka pagi ini dipadati simpatisan. Polres Sukamaju menerjunkan 350 personel untuk pengamanan. Warga diimbau menghindari ruas Jl. Merdeka – Jl. Pahlawan hingga pukul 13.00 WIB.", "Sukamaju Kota"),
    ("infosukamaju", "2@16", "[BANJIR] Hujan deras sejak pukul 14.00 membuat Sungai Cibeureum meluap. Sedikitnya 120 rumah di Desa Cibeureum Hilir dan Desa Sukarame terendam 40–80 cm. BPBD membuka posko di Masjid Al-Ikhlas dan SDN Cibeureum 2. Hotline darurat: 112.", "Cibeureum Hilir"),
    ("infosukamaju", "2@12", "[CEK FAKTA] Beredar pesan berantai dan video yang menyebut surat suara sudah dicoblos di gudang KPU Sukamaju. KPU Sukamaju menyatakan informasi itu HOAKS. Video tersebut rekaman simulasi pemungutan suara tahun 2024 di luar daerah. Gudang logistik di Pasirlaja disegel, dijaga polisi dan diawasi Bawaslu."),
    ("infosukamaju", "3@08", "Forum Kerukunan Umat Beragama (FKUB) Kabupaten Sukamaju bersama tokoh adat dan pemuka lintas agama menggelar pertemuan pagi ini menyusul maraknya konten provokatif bernuansa SARA di media sosial semalam. FKUB mengimbau warga, termasuk warga Kampung Rancaseuweu, tetap tenang dan tidak terpancing."),
    ("infosukamaju", "3@15", "Tim hukum paslon 02 resmi melaporkan 17 akun media sosial ke Bawaslu dan Polres Sukamaju atas dugaan penyebaran fitnah 'ijazah palsu' dan 'antek asing' terhadap Ir. Asep Wiranegara. Bawaslu menyatakan akan mengkaji laporan tersebut dalam 3 hari."),
    ("infosukamaju", "1@14", "Laga Liga 3 Persisma vs PS Cimanglid di Stadion Sukamaju Jaya resmi ditunda karena lapangan tergenang. Pertandingan dilanjutkan besok, Minggu (22/11), pukul 15.30 WIB."),
    ("infosukamaju", "3@17", "Menjelang masa tenang, Satpol PP bersama Bawaslu akan menertibkan APK mulai Selasa dini hari. Peserta pemilihan diminta menurunkan APK secara mandiri malam ini."),
    ("kpukabsukamaju", "0@10", "Ayo cek DPT! Pemilih Pilkada Kabupaten Sukamaju 2026 berjumlah 364.218 orang, tersebar di 1.102 TPS di 7 kecamatan. Pastikan nama Anda terdaftar di https://cekdptonline.kpu.go.id. Pemungutan suara Jumat, 27 November 2026, pukul 07.00–13.00 WIB. #pilkadasukamaju2026"),
    ("kpukabsukamaju", "1@14", "Logistik Pilkada: sebanyak 373.324 lembar surat suara (termasuk cadangan 2,5%) telah selesai disortir dan dilipat di gudang KPU Sukamaju, Pasirlaja. Ditemukan 1.312 lembar rusak yang akan dimusnahkan dengan disaksikan Bawaslu dan saksi paslon.", "Pasirlaja"),
    ("kpukabsukamaju", "2@11", "SIARAN PERS. KPU Kabupaten Sukamaju menegaskan: (1) Tidak benar ada surat suara yang sudah dicoblos di gudang logistik. (2) Tidak ada penundaan Pilkada; pemungutan suara tetap 27 November 2026. (3) Surat atau pengumuman yang mengatasnamakan KPU dan tidak tercantum di kanal resmi adalah palsu. Kami telah melaporkan penyebar hoaks ke Polres Sukamaju. #lawanhoaks"),
    ("kpukabsukamaju", "3@09", "Distribusi logistik ke PPK dijadwalkan mulai 24 November dengan pengawalan aparat. Masyarakat dipersilakan ikut memantau. Transparansi adalah kunci. #pilkadasukamaju2026"),
    ("kpukabsukamaju", "1@19", "Pemilih pemula, jangan bingung! Di TPS cukup bawa KTP-el atau surat keterangan dari Disdukcapil kalau belum dapat undangan. Info lengkap hubungi PPS di desa masing-masing."),
    ("bawaslukabsukamaju", "0@13", "Bawaslu Sukamaju menggelar Sosialisasi Pengawasan Partisipatif bersama pemuda & mahasiswa di Aula Kecamatan Tegalmanik. Kampanye hitam, hoaks, politik uang dan politisasi SARA adalah musuh bersama. Mari awasi bersama!", "Tegalmanik"),
    ("bawaslukabsukamaju", "3@16", "PENGUMUMAN: Masa kampanye berakhir 23 November 2026 pukul 23.59 WIB. Tanggal 24–26 November adalah masa tenang. Seluruh APK wajib diturunkan peserta pemilihan. Dilarang melakukan kampanye dalam bentuk apa pun, termasuk melalui media sosial."),
    ("bawaslukabsukamaju", "2@14", "Bawaslu Sukamaju mencatat beredarnya narasi hoaks terkait surat suara. Kami telah mengecek langsung gudang logistik bersama saksi ketiga paslon: segel utuh, tidak ada surat suara tercoblos. Warga yang menerima konten serupa mohon laporkan, jangan disebarkan."),
    ("bawaslukabsukamaju", "1@08", "Pengawas kecamatan disiagakan di lokasi kampanye akbar paslon 01. Kami mengingatkan: membagikan uang atau barang untuk memengaruhi pemilih adalah pidana pemilihan."),
    ("polres.sukamaju", "2@15", "Polres Sukamaju melalui Unit Siber sedang menelusuri akun-akun penyebar hoaks 'surat suara sudah dicoblos'. Kami mengimbau masyarakat untuk tidak ikut menyebarkan. Menyebarkan berita bohong yang menimbulkan keonaran dapat dipidana."),
    ("polres.sukamaju", "3@11", "Kapolres Sukamaju: Kami tidak akan ragu menindak tegas siapa pun yang memprovokasi konflik SARA menjelang Pilkada. Patroli dialogis ditingkatkan di Kecamatan Tegalmanik dan sekitarnya. Sukamaju aman, Sukamaju damai."),
    ("polres.sukamaju", "0@07", "Operasi Mantap Praja: Polres Sukamaju mengamankan rangkaian debat publik ketiga malam ini. Pengunjung dilarang membawa senjata tajam, petasan dan minuman keras ke area Gedung Serbaguna."),
    ("diskominfo.sukamaju", "1@08", "Layanan Adminduk akhir pekan: Disdukcapil Sukamaju membuka perekaman KTP-el Sabtu & Minggu (21–22/11) pukul 08.00–14.00 WIB khusus pemilih pemula yang baru genap 17 tahun."),
    ("diskominfo.sukamaju", "2@18", "Pemkab Sukamaju menyalurkan bantuan untuk warga terdampak banjir di Kecamatan Cibeureum Hilir: 200 paket sembako, 150 selimut, dan 3 tangki air bersih. Posko kesehatan buka 24 jam.", "Cibeureum Hilir"),
    ("diskominfo.sukamaju", "3@12", "Diskominfo Sukamaju mengajukan permintaan takedown atas 42 konten bermuatan hoaks dan ujaran kebencian terkait Pilkada ke platform media sosial. Masyarakat dapat melapor melalui kanal aduan resmi."),
    ("radarsukamaju", "1@15", "Pengadilan Tipikor menjatuhkan vonis 4 tahun penjara kepada mantan Kepala UPT Pasar Sukamaju berinisial AR dalam kasus korupsi retribusi pasar 2022–2023. Terdakwa juga diwajibkan membayar uang pengganti Rp1,2 miliar."),
    ("radarsukamaju", "2@08", "Harga cabai rawit di Pasar Induk Sukamaju tembus Rp85 ribu per kilogram akibat cuaca buruk. Pedagang mengeluh pembeli berkurang."),
    ("radarsukamaju", "3@13", "Survei Lembaga Kajian Priangan (LKP) menjelang masa tenang: elektabilitas 01 34,2%, 02 31,8%, 03 27,5%, belum menentukan 6,5%. Margin of error ±3,4%. Ketiga tim sukses menanggapi hasil survei dengan beragam."),
    ("radarsukamaju", "0@11", "Disperindag: stok beras di Sukamaju aman hingga akhir tahun. Operasi pasar digelar di 7 kecamatan mulai pekan depan."),
    ("radarsukamaju", "3@07", "Pemilih muda mendominasi DPT Sukamaju: 41% pemilih berusia di bawah 40 tahun. Pengamat menilai isu lapangan kerja dan internet murah bakal menentukan."),
    ("loker.sukamaju", "0@09", "LOWONGAN KERJA PT Sinar Garmen Tegalmanik: Operator Jahit (P), min. lulusan SMP/sederajat, usia 18–35, berpengalaman diutamakan. Bawa fotokopi ijazah, KTP, KK, SKCK. Walk-in interview Senin 23/11 jam 08.00, atau kirim CV ke rekrutmen@sinargarmen-tegalmanik.co.id. GRATIS, tidak dipungut biaya apa pun!", "Tegalmanik"),
    ("loker.sukamaju", "2@19", "Dicari: Admin Toko, Kurir, Barista area Sukamaju Kota. Info lengkap di kolom komentar. Sebarkan ke teman yang butuh ya 🙏 https://bit.ly/loker-smj-nov"),
    ("loker.sukamaju", "3@08", "Reminder walk-in interview PT Sinar Garmen hari ini. Antrean sudah mengular sejak subuh. Semoga rezeki semua pelamar 🤲 Lolos tanpa orang dalam, bismillah!"),
    ("loker.sukamaju", "1@10", "Hati-hati penipuan lowongan kerja yang meminta transfer uang seragam/pelatihan! Perusahaan resmi tidak memungut biaya. Sebarkan info ini."),
    ("jualbeli.smj", "", "Dijual Honda Beat 2019 mulus, pajak hidup, surat lengkap. 11,5 jt nego tipis. Lokasi Karangsari Wetan. Minat inbox aja.", "Karangsari Wetan"),
    ("jualbeli.smj", "2@13", "Dicari: jasa sedot air & bersih rumah pasca banjir daerah Cibeureum. Ada rekomendasi? Tulis di komen ya."),
    ("jualbeli.smj", "3@15", "Jual kambing jantan siap aqiqah, sehat, berat 28–32 kg. Bisa antar wilayah Sukamaju. Harga mulai 2,8 jt."),
    ("persisma.official", "1@15", "INFO PERTANDINGAN: Laga Persisma vs PS Cimanglid DITUNDA karena lapangan tergenang. Pertandingan dilanjutkan Minggu, 22 November 2026 pukul 15.30 WIB. Tiket yang sudah dibeli tetap berlaku."),
    ("persisma.official", "2@18", "FULL TIME! Persisma 2–1 PS Cimanglid. Terima kasih Balad Persisma yang tetap hadir di tengah gerimis 💙💛"),
    ("dadaneuis01", "1@13", "Terima kasih puluhan ribu warga yang hadir di Kampanye Akbar Dadan–Euis! Sukamaju Ngahiji, Sukamaju Maju. Mari kita jaga kampanye tetap damai dan riang gembira. #dadaneuis01 #sukamajungahiji"),
    ("dadaneuis01", "0@22", "Pak Dadan di debat: 'Saya tidak menjanjikan yang mustahil. 400 km jalan desa, bertahap, dengan anggaran yang sudah kami hitung.' Setuju? 👍 #dadaneuis01 #debatpilkada"),
    ("dadaneuis01", "3@10", "Bu Euis hari ini bertemu pelaku UMKM di Karangsari Wetan. Koperasi perempuan akan jadi motor ekonomi desa. #dadaneuis01", "Karangsari Wetan"),
    ("asri.sukamaju", "3@18", "Stadion Sukamaju Jaya penuh! Terima kasih warga. Kang Asep: 'Fitnah boleh datang, tapi kerja nyata yang akan menjawab.' Sampai jumpa di TPS tanggal 27! #asri02 #sukamajuasri"),
    ("asri.sukamaju", "1@11", "Kang Rudi blusukan ke pasar tradisional Pasirlaja, dengar langsung keluhan pedagang soal retribusi dan atap pasar yang bocor. #asri02", "Pasirlaja"),
    ("asri.sukamaju", "2@09", "Minggu pagi Kang Asep ikut senam di CFD bareng warga. Sehat itu investasi! 💚 #asri02 #sukamajuasri"),
    ("niba.untuk.sukamaju", "2@14", "Alhamdulillah kampanye akbar di Alun-alun Pasirlaja berjalan lancar. Bu Nining: 'Perempuan dan anak muda harus jadi subjek pembangunan.' Kang Bayu: 'Saya besar di Sukamaju, makan dari tanah Sukamaju, dan akan mengabdi untuk Sukamaju.' #niba03"),
    ("niba.untuk.sukamaju", "3@10", "Pernyataan sikap: Kami menyesalkan konten provokatif bernuansa SARA yang menyasar Kang Bayu dan warga Rancaseuweu. Kami minta pendukung NIBA tidak membalas, tetap santun, dan serahkan kepada aparat. Sukamaju rumah kita bersama. #niba03 #sukamajudamai"),
    ("niba.untuk.sukamaju", "0@21", "Bu Nining menutup debat: 'Puskesmas 24 jam bukan kemewahan, itu hak warga.' Terima kasih atas dukungan semua relawan! #niba03 #debatpilkada"),
    ("fkub.sukamaju", "3@07", "SERUAN BERSAMA FKUB KABUPATEN SUKAMAJU: 1) Menolak segala bentuk provokasi yang membawa isu suku, agama, ras dan antargolongan dalam Pilkada. 2) Mengajak warga tidak menyebarkan konten kebencian. 3) Menegaskan bahwa pendatang maupun warga asli adalah sama-sama warga Sukamaju yang dilindungi hukum. Ditandatangani para tokoh Islam, Kristen, Katolik, Hindu, Buddha, Konghucu dan penghayat kepercayaan Kabupaten Sukamaju."),
    ("fkub.sukamaju", "0@15", "Doa bersama lintas agama untuk Pilkada damai akan digelar Minggu malam di Pendopo Kabupaten. Seluruh warga diundang."),
    ("cekfaktasukamaju", "1@22", "[DISINFORMASI] Narasi 'ijazah palsu' Cabup 02 yang ramai malam ini tidak disertai bukti. Dokumen pencalonan telah diverifikasi KPU. 'Foto ijazah' yang beredar hasil suntingan; nama kampus pada gambar bahkan salah eja. Mohon tidak ikut menyebarkan."),
    ("cekfaktasukamaju", "2@13", "[HOAKS] 'Pilkada Sukamaju ditunda ke 2027' — surat bernomor 1187/PL.02-SE/3204/2026 yang beredar bukan produk KPU Sukamaju. Kop surat berbeda, tanda tangan hasil tempelan, dan nomor surat tidak terdaftar. Cek selalu ke kanal resmi KPU."),
    ("cekfaktasukamaju", "3@09", "[PROVOKASI] Video 'warga Rancaseuweu bawa massa' yang beredar semalam adalah video lama kericuhan suporter sepak bola tahun 2022 di kota lain. Tidak ada kaitannya dengan pilkada. Tetap tenang."),
    ("cekfaktasukamaju", "3@20", "Rekap 4 hari terakhir: kami mencatat 3 gelombang besar konten menyesatkan — fitnah terhadap Cabup 02 (Sabtu malam), hoaks surat suara tercoblos (Minggu pagi), dan provokasi SARA terhadap pendatang (Minggu malam). Pola akunnya mirip: baru dibuat, foto profil kosong, posting serentak. Hati-hati ya, warga."),
    ("rina.marlina.5832", "0@20", "Nonton debat sambil nidurin anak 😅 Yang saya tunggu sebenarnya program buat ibu-ibu, misal posyandu & harga sembako. Paslon 03 lumayan nyinggung, yang lain kurang. Semoga siapapun yang menang ingat janjinya ya."),
    ("rina.marlina.5832", "2@17", "Ya Allah banjir lagi di depan gang rumah mama di Cibeureum. Udah 3 kali tahun ini. Tolong lah siapapun bupatinya nanti, drainase diberesin 🙏", "Cibeureum Hilir"),
    ("rina.marlina.5832", "1@16", "Anak minta dibeliin kaos kampanye yang gambar kartun paslon, katanya lucu. Padahal pilihannya bapaknya beda 😂 yang penting rumah tetep adem."),
    ("dede.supriatna.7", "1@18", "Jalan di kampung kami di Cikadu Girang udah 5 tahun gak diaspal. Tiap pilkada dijanjiin. Tahun ini saya mau lihat siapa yang punya rencana paling masuk akal, bukan yang paling banyak bagi kaos."),
    ("dede.supriatna.7", "3@16", "Longsor kecil lagi di km 7. Warga gotong royong bersihin pakai cangkul. Mana alat beratnya? 🙏 @diskominfo.sukamaju", "Cikadu Girang"),
    ("hj.entin.kuraesin", "0@07", "Sumuhun, wilujeng enjing baraya. Mugia urang sadaya dipaparin kasehatan. Dinten Jumaah ulah hilap maca surat Al-Kahfi 🤲"),
    ("hj.entin.kuraesin", "2@13", "Punten baraya, tadi isuk abdi ngabagikeun berita ngeunaan surat suara, ternyata hoaks. Hapunten nya 🙏 tos dihapus. Ayeuna mah kedah dipariksa heula."),
    ("hj.entin.kuraesin", "3@15", "Ngiring bingah, incu abdi tos tiasa ngaos Iqro 3. Alhamdulillah 🥰"),
    ("ujang.sobari.31", "1@06", "Subuh-subuh ke sawah, jalan licin. Pulangnya mau ikut kampanye ah, katanya ada doorprize kulkas 😂"),
    ("ujang.sobari.31", "2@16", "Air sungai naik cepet banget sore ini. Yang rumahnya di bantaran, ayo naik dulu ke tempat tinggi!"),
    ("asep.saepudin.771", "", "Nama saya Asep, saya dukung... Persisma! 😂 Jangan tanya pilkada di grup alumni ya, nanti ribut."),
    ("asep.saepudin.771", "3@19", "Grup alumni SMA akhirnya sepakat: bahas pilkada boleh, saling hina jangan. Admin siap kick 😂👍"),
    ("yanti.nurhayati.92", "1@10", "Info dong, arisan ibu-ibu RW 05 minggu ini diundur ya karena banyak yang ikut kampanye akbar 😅"),
    ("yanti.nurhayati.92", "2@18", "Rumah kemasukan air sepinggang. Anak-anak udah diungsikan ke rumah saudara. Doakan ya 🙏", "Cibeureum Hilir"),
    ("wawan.setiawan.smj", "0@18", "Kemarin sempat baca program paslon 02 soal irigasi 1.000 hektare. Bagus di atas kertas, tapi anggarannya dari mana? APBD kita cuma 2,1 T dan belanja pegawai sudah 40%. Mohon timses jelaskan dengan angka, jangan cuma jargon."),
    ("wawan.setiawan.smj", "3@19", "Internet desa gratis (03) itu menarik, tapi siapa yang bayar bandwidth tiap bulan? Janji 01 soal 400 km jalan desa juga perlu hitungan. Saya belum memutuskan, tapi yang jelas saya akan nyoblos."),
    ("wawan.setiawan.smj", "2@11", "Yang bikin saya heran, hoaks surat suara tadi pagi itu sebarannya rapi banget: jam 9 mulai, jam setengah sepuluh sudah di semua grup. Ini bukan kebetulan. Semoga Polres bisa usut siapa yang menggerakkan."),
    ("iis.rosita.1288", "", "Alhamdulillah usaha kue kering kecil-kecilan saya mulai banyak pesanan buat Natal & Tahun Baru. Yang mau order nastar, kastengel, putri salju bisa inbox ya 😊"),
    ("tatang.suherman", "2@22", "Saya tinggal di Tegalmanik sejak lahir. Tetangga saya banyak yang dari luar daerah, kerja di pabrik. Selama ini baik-baik saja. Tiba-tiba malam ini grup FB isinya ajakan usir pendatang. Ini siapa yang mulai? Jangan rusak kampung kami demi pilkada."),
    ("tatang.suherman", "1@07", "Kebun teh pagi ini berkabut tebal. Pemetik teh tetap berangkat jam 6. Semangat ibu-ibu 💪"),
    ("sri.wahyuni.jogja", "3@07", "Kulo niki pendatang saking Jogja, sampun 12 taun wonten Sukamaju. Semalem maos postingan sing ngajak ngusir pendatang, atine loro. Tapi isuk iki tonggo-tonggo Sunda malah teka nggowo sarapan lan ngomong 'tenang Bu, urang dulur'. Matur nuwun sanget 😭🙏"),
    ("sri.wahyuni.jogja", "0@16", "Monggo pinarak, warung gudeg kulo bukak malih sak bibare renovasi. Wonten gudeg, krecek, lan teh nasgitel 😊"),
    ("budi.santoso.8890", "0@17", "Kerjaan numpuk, hujan deras, jalan macet. Jumat yang lengkap. Untung nanti malam ada debat buat hiburan 😂"),
    ("budi.santoso.8890", "3@08", "Senin pagi, kopi sachet dan laporan bulanan. Semangat pejuang rupiah!"),
    ("lilis.karlina.77", "", "Resep sayur asem Sunda ala mamah: asam jawa, kacang panjang, labu siam, jagung manis, melinjo, daun salam, lengkuas. Rebus jagung dulu sampai empuk, baru masukin yang lain. Gula merah sedikit biar seimbang. Selamat mencoba, ibu-ibu! 🍲"),
    ("lilis.karlina.77", "3@11", "Nitip info: yang kemarin kena hoaks surat suara di grup arisan, KPU udah klarifikasi ya. Jangan malu minta maaf kalau salah share, saya juga kemarin hampir ikut forward 🙈"),
    ("agus.gunawan.smj", "3@12", "Bagi rekan-rekan KPPS yang baru dilantik, bimtek hari Selasa di aula kecamatan. Jangan lupa bawa SK. Semangat jadi petugas, kita jaga suara rakyat!"),
    ("agus.gunawan.smj", "1@16", "Persiapan TPS 14 Desa Karangsari: tenda sudah dipesan, kotak suara nanti diantar PPS. Mohon doa semoga lancar sampai rekap."),
    ("mamat.rahmat.9", "1@20", "Malam minggu ronda, sambil ngopi bahas siapa yang bakal menang. Ujung-ujungnya ngomongin harga gabah 😂"),
    ("mamat.rahmat.9", "3@09", "Kerja bakti bersih lumpur sisa banjir. Yang punya pompa air pinjem dong, nanti dibalikin 🙏", "Cibeureum Hilir"),
    ("ceu.edoh.warung", "", "Warung Ceu Edoh buka lagi setelah renovasi! Nasi timbel, ayam goreng, sayur asem. Harga bersahabat, rasa juara 😋 Lokasi depan Puskesmas Karangsari."),
    ("ceu.edoh.warung", "2@11", "Hari ini warung tutup setengah hari ya, Ceu Edoh mau ngirim nasi bungkus ke posko banjir Cibeureum. Hatur nuhun 🙏"),
    ("yusuf.maulana.id", "0@12", "Kata khatib tadi: 'Pilihlah pemimpin yang amanah, dan jangan jadikan mimbar untuk memfitnah.' Adem banget dengarnya."),
    ("yusuf.maulana.id", "2@22", "Saya lihat banyak akun baru nyebar ajakan 'turun ke jalan' dan 'usir' malam ini. Tolong, jangan ada yang terpancing. Pilkada 5 tahun sekali, bertetangga seumur hidup."),
    ("dr.hendra.wijaya", "2@20", "Untuk warga terdampak banjir: waspada diare & leptospirosis. Pakai sepatu boot saat membersihkan lumpur, cuci tangan dengan sabun, rebus air minum. Puskesmas Cibeureum buka 24 jam sementara."),
    ("dr.hendra.wijaya", "0@19", "Catatan kecil dari debat: janji puskesmas 24 jam butuh minimal 3 dokter dan 6 perawat per puskesmas. Sukamaju saat ini kekurangan sekitar 40 dokter umum. Siapapun pemenangnya, rekrutmen tenaga kesehatan harus jadi prioritas."),
    ("ria.anggraeni.22", "1@15", "Hari ini wisuda TK anak aku 🥹 cepet banget gedenya."),
    ("ria.anggraeni.22", "3@20", "Alhamdulillah dapet kerja di pabrik garmen Tegalmanik, lolos tanpa orang dalam! 😭🤲 makasih doanya semua"),
    ("kang.dudi.guru", "0@15", "Sebagai guru honorer 11 tahun, saya cuma mau tanya ke ketiga paslon: kapan nasib honorer diperhatikan? Debat nanti malam semoga ada yang bahas. Gaji 600 ribu sebulan, Pak, Bu."),
    ("kang.dudi.guru", "0@22", "Alhamdulillah isu honorer disinggung di debat. Paslon 01 janji insentif daerah, 02 bicara percepatan PPPK, 03 bicara tunjangan transport. Kita catat semua janjinya 📝"),
    ("kang.dudi.guru", "3@14", "Hari ini saya ajarkan murid kelas 6 tentang pemilu: rahasia, jujur, adil. Ada murid yang nanya, 'Pak, kalau hoaks itu dosa nggak?' Saya jawab: dosa, dan bikin malu 😄"),
    ("nurul.aini.0505", "", "Ada yang tahu bengkel las pagar yang murah di daerah Pasirlaja? Pagar rumah roboh kena angin kemarin."),
    ("nurul.aini.0505", "2@09", "Jalan-jalan CFD sama anak-anak, ketemu stand cek kesehatan gratis. Tensi aman, alhamdulillah 😊"),
    ("engkos.kosasih.57", "3@06", "Wilujeng enjing. Nembe uih ti kebon, hawa tiis pisan. Cag ah, bade ngopi heula."),
    ("engkos.kosasih.57", "2@12", "Punten, nembe terang ari video surat suara tadi teh hoaks. Abdi mah ngan ukur ngirimkeun deui. Hapunten ka sadayana 🙏"),
    ("yohanes.kristianto", "2@07", "Selamat hari Minggu saudara-saudari. Dalam ibadah pagi ini kami mendoakan agar Pilkada Sukamaju berjalan damai, jujur dan adil. Tuhan memberkati kita semua 🙏"),
    ("yohanes.kristianto", "3@12", "Terima kasih untuk sahabat-sahabat dari masjid sebelah yang semalam datang ke rumah kami hanya untuk memastikan kami baik-baik saja setelah ramainya postingan provokatif. Inilah Sukamaju yang sebenarnya."),
    ("gina.fitriani", "", "Ikut seminar literasi digital di kampus tadi. Pemateri bilang: cek sumber, cek tanggal, cek foto pakai reverse image. Simple tapi penting banget apalagi musim pilkada gini."),
    ("gina.fitriani", "2@20", "Aku baru sadar, akun-akun yang nyebar hoaks tadi pagi sama yang nyebar fitnah cabup kemarin malam itu banyak yang sama lho. Ada yang bisa bantu lapor massal?"),
    ("james.whitfield.teach", "1@12", "Day 40 teaching in Sukamaju. The whole town is covered in campaign banners, three candidates, very colourful. My students spent the lesson explaining regional elections to me. A democracy lesson for the teacher 😄"),
    ("james.whitfield.teach", "2@19", "Heavy floods in part of town today. Neighbours with boats, mosques opening their doors, students collecting donations. Really moving to see."),
    ("aisyah.binti.razak", "1@17", "Alhamdulillah sampai di Sukamaju, kampung suami saya. Cuaca sangat sejuk, makanan pun sedap. Tak sangka ramai betul bendera kempen pilihan raya di tepi jalan, meriah sangat!"),
    ("aisyah.binti.razak", "3@10", "Pagi ni mak mertua ajar buat surabi. Susah juga nak dapat bentuk bulat tu, tapi rasa dia memang sedap 😋"),
    ("iwan.kurniawan.99", "", "Mohon info, bus ke Bandung dari terminal Sukamaju paling pagi jam berapa ya sekarang?"),
    ("iwan.kurniawan.99", "1@21", "Malam minggu nongkrong di angkringan depan stasiun. Obrolan: pilkada 20%, bola 80% 😂"),
    ("ratna.sari.smj", "2@15", "Jualan pisang goreng di depan alun-alun Pasirlaja pas kampanye 03, alhamdulillah laris. Pendukung 01 dan 02 juga pada beli kok 😂"),
    ("ratna.sari.smj", "0@10", "Anak saya ikut lomba mewarnai 'Pilkada Damai' di sekolah. Gambarnya tiga orang pegangan tangan 🥹"),
    ("oom.komariah", "2@19", "Alhamdulillah sadayana kulawarga salamet, mung barang-barang seueur nu baseuh. Hatur nuhun ka tatangga nu parantos ngabantosan 🙏", "Cibeureum Hilir"),
    ("oom.komariah", "0@13", "Resep pepes ikan mas ti Ema: bumbu kuning, kemangi, tomat hejo. Dibungkus daun cau, dikukus 1 jam, teras dibakar sakedap. Raos pisan!"),
    ("h.jajang.rw07", "1@09", "Pengumuman untuk warga RW 07: kerja bakti hari Minggu pagi ditiadakan karena ada CFD dan kampanye. Diganti Minggu depan."),
    ("rohman.hakim.4412", "0@09", "Kopi pagi, hujan gerimis, lagu Sunda lawas. Nikmat."),
    ("ceu.edoh.warung", "0@06", "Nasi kuning sudah siap dari subuh! Lengkap telor, orek tempe, sambel. 8 ribu aja 😋"),
    ("dede.supriatna.7", "0@11", "Habis Jumatan, ngobrol sama pak ustadz soal pilkada. Beliau bilang: pilih yang paling sedikit mudaratnya. Masuk akal."),
    ("budi.santoso.8890", "1@13", "Ikut kampanye akbar cuma sampai jam 10, panasnya minta ampun. Salut sama yang kuat sampai selesai."),
    ("wawan.setiawan.smj", "1@21", "Saya lihat ada tagar #bongkarasep naik malam ini. Cek saja akunnya: dibuat bulan ini, followernya nol, postingannya sama persis. Itu bukan suara warga, itu pabrik."),
    ("pak.haji.oman", "1@21", "Baru saja di grup WA keluarga ada yang share tulisan soal 'ijazah palsu' dan 'antek asing' tentang salah satu calon. Saya tanya sumbernya, tidak ada yang bisa jawab. Jangan jadi penyambung lidah fitnah, baraya."),
    ("infosukamaju", "1@23", "Bawaslu Sukamaju mengaku telah memantau lonjakan unggahan bernada kampanye hitam terhadap salah satu paslon sejak pukul 19.00 WIB malam ini. Pengumpulan bukti sedang dilakukan."),
    ("radarsukamaju", "2@22", "Lonjakan konten provokatif bernuansa SARA terpantau di media sosial malam ini. Polres Sukamaju meminta warga tidak terpancing dan melaporkan akun penyebar."),
    ("kpukabsukamaju", "0@17", "Pengumuman: Bagi warga yang pindah domisili, pengurusan pindah memilih (formulir model A) dilayani paling lambat 7 hari sebelum hari pemungutan suara di kantor PPS setempat."),
    ("polres.sukamaju", "2@22", "Polres Sukamaju memantau ajakan pengerahan massa yang beredar di media sosial malam ini. Situasi di lapangan aman dan kondusif. Jangan mudah percaya dan jangan terprovokasi."),
    ("tatang.suherman", "3@08", "Pagi ini warga Rancaseuweu dan kampung sebelah ngopi bareng di pos ronda. Ketua RW bilang, 'yang semalam itu bukan kita.' Setuju!", "Tegalmanik"),
    ("gina.fitriani", "3@17", "Btw jangan lupa besok mulai masa tenang, admin akun relawan juga harus puasa posting ya 😄"),
    ("iis.rosita.1288", "2@10", "Astaghfirullah, pagi-pagi grup keluarga heboh video surat suara. Untung ponakan saya langsung kirim klarifikasi KPU. Makasih, Dek!"),
    ("yanti.nurhayati.92", "3@13", "Terima kasih relawan dari 01, 02, 03 yang sama-sama bantu bersihin rumah warga. Beda warna kaos, sama-sama pegang sapu 🙏"),
    ("rina.marlina.5832", "3@21", "Besok masa tenang, HP saya juga mau masa tenang. Bye grup WA 👋😂"),
    ("mamat.rahmat.9", "0@20", "Yang nonton debat di rumah Pak RT, kopi sama kacang rebus disiapin. Sok atuh merapat."),
    ("engkos.kosasih.57", "1@14", "Poe ieu hujan ti subuh, sawah pinuh ku cai. Mugia pare teu kabawa palid."),
    ("ujang.sobari.31", "3@18", "Pamit dulu dari FB, mau fokus panen minggu ini. Jangan lupa tanggal 27 nyoblos semuanya!"),
]

BENIGN_INSTAGRAM = [
    ("sukamaju.foodies", "", "Mie kocok Mang Dadang di Pasar Baru Sukamaju 🍜 kuahnya kental, kikilnya empuk, 18k aja! rekomendasi dari @salsabila.nrh\n.\n.\n#kulinersukamaju #miekocok #sukamajufoodies #jajanansunda #foodiesjabar", "Sukamaju Kota"),
    ("sukamaju.foodies", "2@18", "Lagi banjir gini enaknya baso aci panas 🥣 btw yg di Cibeureum stay safe ya! Cek story buat info posko donasi\n\n#kulinersukamaju #basoaci #prayforcibeureum"),
    ("sukamaju.foodies", "1@19", "Malming spot: sate maranggi Pak Uju deket alun-alun, antri tapi worth it 🔥 daging empuk, sambel oncomnya juara\n\n#kulinersukamaju #satemaranggi #malmingan #sukamajufoodies"),
    ("sukamaju.foodies", "0@12", "Jumat siang = nasi padang? nggak, nasi timbel komplit Ceu Edoh 😋 25k kenyang sampe sore\n\n#kulinersukamaju #nasitimbel #makansiang"),
    ("sukamaju.foodies", "3@16", "Kopi susu gula aren 12k di Kopi Lembur, tempatnya cozy buat nugas 💻☕ @kopi.lembur.smj\n\n#kopisukamaju #tempatnugas #sukamajufoodies"),
    ("sukamaju.foodies", "2@08", "Sarapan CFD: bubur ayam Mang Oyo udah ada dari jaman aku SD 🥹 masih enak, masih murah\n\n#cfdsukamaju #buburayam #kulinerlegendaris"),
    ("explore.sukamaju", "", "Curug Citiis pagi hari 🌿 30 menit dari pusat kota via Cikadu Girang.\n\n#exploresukamaju #curug #wisatajabar #alamindonesia #healing", "Cikadu Girang"),
    ("explore.sukamaju", "1@07", "Sunrise dari Bukit Pasirlaja 🌄 📷: @fikri.lensa\n\n#exploresukamaju #sunrise #pasirlaja #landscape", "Pasirlaja"),
    ("explore.sukamaju", "3@11", "Situ Cibeureum sebelum banjir kemarin. Semoga cepat pulih ya 🙏\n\n#exploresukamaju #situcibeureum #prayforcibeureum", "Cibeureum Hilir"),
    ("kpusukamaju", "0@10", "Yuk kenali tiga paslon Pilkada Sukamaju 2026 👇 geser untuk visi misi lengkap. Pilih dengan cerdas, bukan karena amplop! 🗳️\n\n#kpusukamaju #pilkadasukamaju2026 #pemilihcerdas #jangangolput"),
    ("kpusukamaju", "2@12", "HOAKS ❌ Tidak ada surat suara yang sudah dicoblos di gudang KPU. Pilkada TIDAK ditunda. Pemungutan suara tetap Jumat, 27 November 2026 ✅\n\n#kpusukamaju #lawanhoaks #pilkadasukamaju2026"),
    ("kpusukamaju", "3@14", "Petugas KPPS, terima kasih sudah siap mengabdi! 🫡 Bimtek dimulai besok di tiap kecamatan.\n\n#kpusukamaju #kpps #pilkadasukamaju2026"),
    ("bawaslu_sukamaju", "1@09", "Saat kampanye akbar, peserta dilarang: membawa anak di bawah umur ke arena, memakai fasilitas negara, menghina SARA & peserta lain, membagikan uang. Lihat pelanggaran? Laporkan! 📣\n\n#bawaslusukamaju #awasipilkada #pilkadadamai"),
    ("bawaslu_sukamaju", "3@09", "Stop kampanye hitam! Menyebarkan fitnah terhadap peserta pemilihan bukan kebebasan berekspresi. Bawaslu Sukamaju sedang menindaklanjuti laporan terkait akun-akun penyebar.\n\n#bawaslusukamaju #stopkampanyehitam #pilkadadamai"),
    ("bawaslu_sukamaju", "0@16", "Patroli siber Bawaslu Sukamaju aktif 24 jam selama masa kampanye & masa tenang 👀 Temukan konten hoaks atau SARA? DM kami.\n\n#bawaslusukamaju #patrolisiber"),
    ("dadaneuis.01", "1@12", "Lautan manusia di Lapangan Merdeka 🙏 Hatur nuhun warga Sukamaju! Sukamaju Ngahiji!\n\n#dadaneuis01 #sukamajungahiji #kampanyeakbar #pilkadasukamaju2026"),
    ("dadaneuis.01", "0@21", "Terima kasih sudah menyaksikan debat ketiga. Pengalaman, bukan coba-coba 💛\n\n#dadaneuis01 #debatpilkada"),
    ("asri.asep.rudi", "3@19", "Terima kasih Stadion Sukamaju Jaya 💚 Dari insinyur untuk Sukamaju: irigasi, jalan, dan UMKM naik kelas.\n\n#asri02 #sukamajuasri #kerjanyata"),
    ("asri.asep.rudi", "2@10", "Hoaks dan fitnah tidak akan menghentikan kerja. Terima kasih warga yang tetap jernih menilai 🙏 Klarifikasi lengkap soal ijazah ada di highlight.\n\n#asri02 #stopfitnah"),
    ("niba.03", "2@15", "Alun-alun Pasirlaja bergetar! Terima kasih relawan muda yang bikin kampanye jadi festival 🎉\n\n#niba03 #sukamajumuda #gaskeun"),
    ("niba.03", "3@11", "Kang Bayu: 'Saya lahir di luar Sukamaju, tapi 20 tahun hidup, kerja, dan membesarkan anak di sini. Sukamaju adalah rumah saya.' 🤍\n\n#niba03 #sukamajurumahkita"),
    ("salsabila.nrh", "", "weekend mode: kopi, buku, ujan 🌧️📖\n#slowliving #sundaymood #kopilembur"),
    ("salsabila.nrh", "1@17", "sore2 jalan ke taman kota, langitnya pink 🌸\n\n#senja #sukamaju #langitsore"),
    ("kopi.lembur.smj", "1@17", "Malam minggu live acoustic bareng @asepkasep.official 🎸 jam 19.00, free entry! Menu baru: es kopi gula aren pandan 🤎\n\n#kopilembur #kafesukamaju #liveacoustic #malmingan"),
    ("kopi.lembur.smj", "3@07", "Senin butuh kafein ☕ Promo pagi: beli 2 gratis 1 croissant sampai jam 10!\n\n#kopilembur #promopagi #kopisukamaju"),
    ("dapur.bunda.nia", "", "Nasi tutug oncom anget + sambel dadak + lalapan. Nikmat mana yang kau dustakan 🤤\n\n#nasitutugoncom #masakansunda #dapurbunda #resepharian"),
    ("dapur.bunda.nia", "2@11", "Catering pesanan posko banjir hari ini 200 box 🙏 makasih yang udah donasi lewat kami, semua tersalurkan\n\n#dapurbunda #pedulibanjir #cateringsukamaju"),
    ("the.wandering.erik", "1@11", "Accidentally walked into a campaign rally today. Dangdut music, free snacks, a thousand flags. Nobody could explain the difference between the programmes to me but everyone was super friendly 😂🇮🇩\n\n#indonesia #expatlife #westjava #election"),
    ("the.wandering.erik", "3@18", "Tomorrow the 'quiet period' starts before the regency election, no more campaigning allowed. Honestly I'll miss the free concerts. Respect to the poll workers who'll carry ballot boxes up the hills.\n\n#indonesia #democracy #pilkada"),
    ("the.wandering.erik", "2@19", "Part of town flooded today. Helped a bit with sandbags. Neighbours here just show up for each other. Humbling.\n\n#indonesia #community #flood"),
    ("fikri.lensa", "2@06", "Kabut pagi di kebun teh Tegalmanik. Shot on phone, no edit 📷\n\n#tegalmanik #kebunteh #landscape #exploresukamaju #fotografijabar", "Tegalmanik"),
    ("fikri.lensa", "1@10", "Human interest dari kampanye akbar: aki-aki jualan balon di tengah lautan bendera 🎈\n\n#streetphotography #sukamaju #kampanye"),
    ("anisa.kh_", "", "finally sidang skripsi selesai!! makasih semuanya yg udh support 🎓😭\n\n#sidangskripsi #fresgraduate #universitassukamaju"),
    ("anisa.kh_", "3@15", "ternyata nyari kerja lebih susah dari skripsi 😭 ada info loker admin? dm ya\n\n#jobseeker #fresh graduate"),
    ("reza.ptr", "1@20", "Malming di alun-alun, bazar UMKM rame pol. Nemu kaos lucu 'Sukamaju Bukan Kota Kecil' 😂\n#malmingan #alunalunsukamaju"),
    ("reza.ptr", "2@09", "Lari pagi di CFD, eh ketemu cabup 02 lagi senam 😂 foto dulu lah\n\n#cfdsukamaju #running"),
    ("hijab.ceu.mira", "", "Koleksi pashmina ceruty babydoll restock 12 warna! 45k aja 🧕\nOrder via DM / link di bio\n\n#hijabsukamaju #pashminamurah #olshopsukamaju"),
    ("hijab.ceu.mira", "3@13", "Diskon 20% khusus hari ini buat bunda-bunda yang terdampak banjir, tunjukin KTP Cibeureum aja 🙏\n\n#hijabsukamaju #peduli"),
    ("laundry.kilat.smj", "2@09", "Hujan terus? Jemuran nggak kering? Tenang, Laundry Kilat buka jam 7–21, bisa antar jemput area Sukamaju Kota 🧺\n\n#laundrysukamaju #laundrykiloan #umkmsukamaju"),
    ("laundry.kilat.smj", "3@10", "Cuci gratis 5 kg untuk korban banjir Cibeureum Hilir minggu ini. Bawa aja, kami bantu 💙\n\n#laundrysukamaju #peduli"),
    ("sukamaju.update", "2@17", "BANJIR | Kondisi terkini Cibeureum Hilir pukul 17.00 WIB. Warga mulai dievakuasi menggunakan perahu karet BPBD. Tetap waspada! 🙏\n\n#sukamajuupdate #banjirsukamaju #cibeureumhilir", "Cibeureum Hilir"),
    ("sukamaju.update", "2@12", "CEK FAKTA ❌ Video 'surat suara sudah dicoblos di gudang KPU' = HOAKS. KPU & Bawaslu sudah cek gudang bersama saksi 3 paslon, segel utuh. Jangan ikut sebar ya, Sukamaju!\n\n#sukamajuupdate #lawanhoaks #pilkadasukamaju2026"),
    ("sukamaju.update", "0@20", "Suasana debat publik ketiga dari luar gedung. Nobar di layar besar, kondusif 👍\n\n#sukamajuupdate #debatpilkada"),
    ("sukamaju.update", "1@10", "Kampanye akbar 01 di Lapangan Merdeka, pantauan drone pukul 10.00 WIB 🚁\n\n#sukamajuupdate #kampanyeakbar"),
    ("sukamaju.update", "3@07", "Pagi ini FKUB & tokoh lintas agama kumpul di Pendopo, ajak warga jaga kerukunan setelah ramai provokasi semalam 🤝\n\n#sukamajuupdate #sukamajudamai"),
    ("sukamaju.update", "3@16", "Kampanye akbar terakhir paslon 02 di Stadion Sukamaju Jaya. Besok masa tenang, APK wajib diturunkan.\n\n#sukamajuupdate #masatenang"),
    ("bem.unsuka", "0@19", "Nobar debat ketiga di Aula Rektorat! Live update di story ya. Kawal gagasan 🔥 @kpusukamaju @bawaslu_sukamaju\n\n#bemunsuka #debatpilkada #kawalpilkada"),
    ("bem.unsuka", "3@12", "Pernyataan sikap BEM: Kami menolak politisasi SARA, kampanye hitam, dan hoaks dalam Pilkada Sukamaju. Mahasiswa berdiri bersama seluruh warga, asli maupun pendatang.\n\n#bemunsuka #sukamajudamai"),
    ("rumah.baca.cikadu", "", "Anak-anak Cikadu belajar membaca sambil nunggu hujan reda 📚🌧️ Terima kasih donatur buku minggu ini!\n\n#rumahbaca #literasianak #cikadugirang"),
    ("rumah.baca.cikadu", "1@15", "Kelas menggambar sabtu: tema 'Desaku'. Ada yang gambar jalan berlubang lengkap sama bebeknya 😂🦆\n\n#rumahbaca #anakdesa"),
    ("bengkel.kang.emen", "", "Servis rutin + ganti oli cuma 50k! Musim hujan, rem & ban dicek ya 🛠️\n\n#bengkelsukamaju #servismotor"),
    ("bengkel.kang.emen", "2@20", "Motor yang kena banjir jangan langsung distarter! Bawa ke bengkel, kami bantu kuras mesin. Diskon buat warga terdampak 🙏\n\n#bengkelsukamaju #motorbanjir"),
    ("sukamaju.memes", "1@21", "Timses tiap ketemu: 'A, udah punya pilihan?'\nAku yg cuma mau beli cilok: 🧍\n\n#sukamajureceh #memeindonesia #pilkada"),
    ("sukamaju.memes", "2@10", "Grup WA keluarga jam 9 pagi: 'SEBARKAN SEBELUM DIHAPUS‼️'\nAku: ini pasti hoaks lagi 🫠\n\n#sukamajureceh #lawanhoaks #grupwakeluarga"),
    ("sukamaju.memes", "0@22", "Moderator debat: 'waktu habis'\nPaslon: 'satu lagi bu'\nMe: 🍿\n\n#sukamajureceh #debatpilkada"),
    ("sukamaju.memes", "3@20", "Masa tenang = masa di mana grup alumni akhirnya bahas reuni lagi 😂\n\n#sukamajureceh #masatenang"),
    ("ustadz.hanif.official", "0@05", "Jumat berkah. 'Barangsiapa menutupi aib saudaranya, Allah akan menutupi aibnya.' Musim pilkada, jaga jari dari fitnah 🤲\n\n#jumatberkah #kajiansukamaju #nasihat"),
    ("ustadz.hanif.official", "3@06", "Islam tidak mengajarkan mengusir tetangga karena beda asal atau beda agama. Rasulullah hidup berdampingan dengan tetangga yang berbeda keyakinan. Jangan mau diadu domba, saudaraku 🤍\n\n#sukamajudamai #kajiansukamaju #ukhuwah"),
    ("ustadz.hanif.official", "2@05", "Kajian subuh hari ini: adab menerima berita. Tabayyun sebelum menyebarkan, apalagi yang judulnya 'sebarkan sebelum dihapus' 😊\n\n#kajiansubuh #tabayyun"),
    ("kangen.sukamaju", "", "Urang Sukamaju di Jakarta, ngacung! ☝️ kangen surabi oncom Jalan Pahlawan 🥲 tgl 27 pulang nyoblos ah\n\n#urangsukamaju #perantau #mudiknyoblos"),
    ("kangen.sukamaju", "2@22", "Dari rantau liat grup kampung rame ribut soal pendatang. Inget, kita juga pendatang di Jakarta, dan kita diterima baik. Tong kitu atuh, dulur 🙏\n\n#urangsukamaju #sukamajudamai"),
    ("cekfakta.smj", "1@23", "🔍 CEK FAKTA: 'Ijazah Cabup 02 palsu' — SALAH. Foto ijazah yang beredar hasil editan: logo kampus terbalik, nama rektor tidak sesuai. Dokumen asli telah diverifikasi KPU saat pendaftaran.\n\n#cekfakta #lawanhoaks #pilkadasukamaju2026"),
    ("cekfakta.smj", "3@10", "🔍 CEK FAKTA: Narasi 'pendatang Rancaseuweu akan kuasai Sukamaju' dan ajakan turun ke jalan semalam bersumber dari akun-akun baru tanpa identitas. Foto 'massa' adalah foto lama. Jangan terprovokasi!\n\n#cekfakta #sukamajudamai #tolaksara"),
    ("cekfakta.smj", "2@12", "🔍 CEK FAKTA: 'Surat suara dicoblos duluan di gudang KPU Sukamaju' — HOAKS. Videonya sudah beredar sejak 2024 dengan narasi berbeda di daerah lain.\n\n#cekfakta #lawanhoaks"),
    ("nurul.izzati.my", "1@19", "Petang tadi jalan-jalan ke pasar malam Sukamaju, banyak sangat makanan sedap! Cireng dia best gila 😍\n\n#cutiindonesia #sukamaju #makanansedap"),
    ("nurul.izzati.my", "3@09", "Last day kat Sukamaju. Terima kasih semua yang layan kami dengan baik. Insya-Allah datang lagi!\n\n#cutiindonesia #jalanjalan"),
    ("m.faisal.r", "0@21", "Debat td: 01 aman, 02 teknis bgt, 03 paling komunikatif. Tp ya debat bukan segalanya. Cek rekam jejak juga 🙏\n\n#debatpilkada #pilkadasukamaju2026"),
    ("m.faisal.r", "2@15", "Kampanye 03 di Pasirlaja: konsepnya kayak festival musik, anak muda banyak. Tapi programnya harus tetep dikritisi ya\n\n#pilkadasukamaju2026"),
    ("dimas.aditya_", "", "new bike who dis 🚲✨\n\n#sepeda #gowes #sukamaju"),
    ("dimas.aditya_", "2@07", "gowes CFD 20 km, kaki gemeteran 🥵\n\n#gowes #cfdsukamaju"),
    ("yoga.pratama.91", "2@07", "CFD + lari 5K bareng @dimas.aditya_, PR baru 27 menit 🏃‍♂️🔥\n\n#cfdsukamaju #running #strava"),
    ("yoga.pratama.91", "3@05", "Pagi-pagi lari keliling Situ Cibeureum, masih banyak lumpur sisa banjir. Semoga cepet beres 🙏\n\n#running #sukamaju"),
    ("dewi.kartika.smj", "", "Wedding prep H-30 😭 vendor dekor lokal Sukamaju ternyata bagus2 bgt, makasih @teh.nenih.florist.\n\n#weddingprep #vendorsukamaju"),
    ("dewi.kartika.smj", "2@14", "Fitting kebaya ke-3, akhirnya pas 🥹🤍\n\n#weddingprep #kebaya"),
    ("wulan.dari_", "1@18", "kucingku ilang di sekitar Jl. Cempaka, Sukamaju Kota 😭 namanya Mochi, oren, kalung merah. Tolong viralkan ya teman-teman 🙏🐈 @explore.sukamaju @sukamaju.update\n\n#kucinghilang #sukamaju #viralkan", "Sukamaju Kota"),
    ("wulan.dari_", "3@16", "MOCHI KETEMU!!! makasih semua yg udh share 😭😭🧡\n\n#kucingketemu #alhamdulillah"),
    ("bobotoh.smj", "2@19", "Persisma menang, Persib menang, lengkap sudah Minggu ini 💙\n\n#bobotoh #persisma #persib"),
    ("bobotoh.smj", "1@15", "Ditunda euy pertandingan Persisma, lapangan jadi kolam renang 🏊\n\n#persisma #liga3"),
    ("putri.ayu.lestari", "", "Ootd ke kondangan, dress sewa 75k aja 😆\n\n#ootd #sewadress #hematpangkal"),
    ("putri.ayu.lestari", "2@20", "Donasi baju udah dikumpulin di posko karang taruna, makasih temen2 🙏\n\n#peduli #karangsari"),
    ("nabila.zahra_", "", "Photodump minggu ini: seblak, hujan, tugas, ulang 📸\n\n#photodump #sindangwangi"),
    ("nabila.zahra_", "0@19", "Pertama kali nonton debat cabup full. Ternyata seru juga ya, gak seboring yang aku kira 😅\n\n#pemilupemula #debatpilkada"),
    ("fadhil.hkm", "", "Belajar hukum tata negara pas musim pilkada tuh kayak praktikum langsung 😂\n\n#anakhukum #mahasiswa"),
    ("fadhil.hkm", "3@15", "Buat yang nanya: nyebarin fitnah ke peserta pemilihan bisa kena pasal, bukan cuma dosa. Hati-hati jempolnya, guys.\n\n#anakhukum #pilkadasukamaju2026"),
    ("realtalk.smj", "1@13", "Realtalk: 3 paslon, 3 janji besar, 1 APBD. Siapa yg paling realistis? Diskusi sehat di komen 👇\n\n#realtalksmj #pilkadasukamaju2026"),
    ("realtalk.smj", "3@21", "Recap 4 hari: debat, banjir, hoaks, provokasi. Tapi yg paling banyak kita liat tetep warga saling bantu. Itu Sukamaju.\n\n#realtalksmj"),
    ("teh.nenih.florist", "", "Buket wisuda mulai 50k, bisa custom warna 💐 order H-2 ya\n\n#floristsukamaju #buketwisuda"),
    ("teh.nenih.florist", "3@17", "Toko buka lagi setelah kebanjiran kemarin, bunga-bunga selamat semua alhamdulillah 🌷\n\n#floristsukamaju #bangkitlagi", "Cibeureum Hilir"),
    ("pemuda.karangsari", "2@18", "Karang Taruna Karangsari buka posko donasi untuk saudara kita di Cibeureum Hilir. Drop point: balai desa, sampai Selasa.\n\n#karangtaruna #pedulibanjir", "Karangsari Wetan"),
    ("pemuda.karangsari", "0@15", "Turnamen voli antar-RW dimulai minggu depan! Daftar ke sekretariat paling lambat Rabu 🏐\n\n#karangtaruna #voli"),
    ("salsabila.nrh", "3@19", "Deep talk sama bapak soal pilkada. Beliau pilih A, aku pilih B, tapi sepakat martabaknya rasa keju 😂\n\n#ceritakeluarga"),
    ("anisa.kh_", "2@22", "Serem banget baca komen2 di postingan provokasi tadi. Tolong jangan ada yang ikut2an, kita semua tetangga.\n\n#sukamajudamai"),
    ("reza.ptr", "0@18", "hujan, macet, nobar debat di kosan. komplit.\n\n#debatpilkada #anakkos"),
    ("kopi.lembur.smj", "2@21", "Kami buka seperti biasa malam ini. Semua orang boleh ngopi di sini, dari mana pun asalnya ☕🤎\n\n#kopilembur #sukamajudamai"),
    ("explore.sukamaju", "0@09", "Pasar tradisional Pasirlaja pagi hari. Warna-warni sayur dan obrolan pedagang 🥬🥕\n\n#exploresukamaju #pasartradisional", "Pasirlaja"),
    ("fikri.lensa", "3@17", "Sisa banjir: sepatu anak sekolah dijemur di pagar. Semangat, adik-adik 🙏\n\n#humaninterest #cibeureumhilir", "Cibeureum Hilir"),
    ("dapur.bunda.nia", "0@17", "Open PO rendang & kering tempe untuk persediaan seminggu, bun. Close order Senin!\n\n#dapurbunda #preorder"),
    ("hijab.ceu.mira", "1@14", "Live IG jam 8 malam ya kakak2, bahas mix n match hijab buat kondangan 🧕✨\n\n#liveig #hijabsukamaju"),
    ("sukamaju.memes", "1@18", "Weekend di Sukamaju: Sabtu kampanye, Minggu CFD, Senin macet. Repeat.\n\n#sukamajureceh"),
    ("ustadz.hanif.official", "1@21", "Malam minggu, sebagian kita sibuk membaca fitnah tentang orang lain. Lebih baik kita baca Al-Kahfi dan introspeksi diri 🤲\n\n#nasihat #kajiansukamaju"),
    ("yoga.pratama.91", "1@16", "Hujan-hujan tetep treadmill di rumah 🏃‍♂️ konsisten is key\n\n#running #fitness"),
    ("m.faisal.r", "3@20", "Udah tentuin pilihan? Aku udah. Rahasia dong 🤫\n\n#pilkadasukamaju2026 #rahasia"),
    ("nabila.zahra_", "2@16", "Atap kelas bocor pas hujan deras, sekolah kita butuh perbaikan pak bupati siapapun nanti 🙏\n\n#sekolahkita #sindangwangi"),
    ("realtalk.smj", "2@11", "Kalau kalian dapet broadcast 'sebarkan sebelum dihapus', 99% itu hoaks. 1%-nya resep. Realtalk.\n\n#realtalksmj #lawanhoaks"),
    ("kangen.sukamaju", "3@12", "Tiket bus mudik buat nyoblos udah dibeli ✅ Ada yang mau bareng dari Kampung Rambutan?\n\n#mudiknyoblos #urangsukamaju"),
    ("bem.unsuka", "2@09", "Stand literasi digital BEM di CFD: belajar cek hoaks dalam 3 menit! Mampir ya 🔍\n\n#bemunsuka #literasidigital #cfdsukamaju"),
    ("teh.nenih.florist", "1@11", "Papan bunga ucapan selamat untuk acara kampanye? Bisa, asal bayar di muka ya 😂💐 semua paslon kami layani\n\n#floristsukamaju #papanbunga"),
    ("laundry.kilat.smj", "0@08", "Jumat bersih-bersih! Paket bed cover 25k/pcs, 2 hari jadi 🧺\n\n#laundrysukamaju #jumatberkah"),
    ("wulan.dari_", "0@20", "nobar debat sama mama, mama lebih semangat komentar dari moderator 😂\n\n#debatpilkada #mama"),
    ("dewi.kartika.smj", "3@21", "Pilkada selesai, nikahan dimulai. Doakan lancar yaa 🤍\n\n#weddingprep"),
    ("putri.ayu.lestari", "1@09", "Ke kampanye bawa payung, tau aja bakal ujan 😂☔\n\n#sabtu #kampanye"),
    ("rumah.baca.cikadu", "3@14", "Buku-buku yang basah kena rembesan banjir lagi dijemur. Ada yang mau donasi rak plastik? 🙏\n\n#rumahbaca #donasibuku"),
    ("sukamaju.foodies", "3@12", "Seblak Ceu Popon level 3 udah bikin keringetan 😂🌶️ @seblak.ceu.popon kapan buka cabang di kota?\n\n#kulinersukamaju #seblak"),
    ("fadhil.hkm", "1@22", "Baru liat ratusan post 'antek asing' & 'ijazah palsu' masuk beranda dlm 1 jam. Itu namanya coordinated inauthentic behavior, bukan opini publik.\n\n#anakhukum #literasidigital"),
    ("the.wandering.erik", "2@22", "Lots of angry posts about 'newcomers' on my feed tonight. As a newcomer myself, I can only say this town has been kind to me. Hoping it stays that way.\n\n#indonesia #community"),
    ("salsabila.nrh", "2@10", "mama kirim video 'surat suara dicoblos' ke grup, aku kirim balik link klarifikasi KPU. kita impas 😌\n\n#lawanhoaks #grupwakeluarga"),
    ("kpusukamaju", "1@16", "Simulasi pemungutan suara di TPS percontohan Sukamaju Kota hari ini. Petugas KPPS latihan dari pembukaan TPS sampai penghitungan suara 📋\n\n#kpusukamaju #simulasitps", "Sukamaju Kota"),
    ("bawaslu_sukamaju", "2@13", "Bawaslu bersama saksi ketiga paslon mengecek langsung gudang logistik KPU pagi ini. Segel utuh, tidak ditemukan surat suara tercoblos ✅\n\n#bawaslusukamaju #lawanhoaks", "Pasirlaja"),
    ("dadaneuis.01", "2@17", "Relawan 01 membuka dapur umum di Cibeureum Hilir. Semua warga boleh makan, tanpa tanya pilihan 🙏\n\n#dadaneuis01 #peduli", "Cibeureum Hilir"),
    ("niba.03", "2@18", "Relawan NIBA bergabung di posko banjir Cibeureum. Tolong jangan bawa atribut ke posko, kita datang sebagai tetangga 🤍\n\n#niba03 #peduli"),
    ("asri.asep.rudi", "1@14", "Kang Asep ngobrol bareng petani di Cikadu Girang soal saluran irigasi yang jebol 🌾\n\n#asri02 #petani", "Cikadu Girang"),
    ("explore.sukamaju", "2@15", "Hujan deras sore ini di seluruh Sukamaju. Stay safe, jangan berteduh di bawah pohon besar ya ⛈️\n\n#exploresukamaju #cuaca"),
    ("bobotoh.smj", "3@22", "Recap pekan ini: Persisma menang, Persib imbang. Minggu depan nobar di Kopi Lembur?\n\n#bobotoh #nobar"),
    ("nurul.izzati.my", "2@13", "Hujan lebat sangat petang ni, tak boleh keluar. Makan mi rebus je lah 😅\n\n#cutiindonesia"),
    ("anisa.kh_", "1@12", "panas banget tadi ke kampanye, sunscreen luntur semua 🥵\n\n#kampanye #skincare"),
    ("dimas.aditya_", "3@18", "Sore-sore bantu bersihin rumah temen di Cibeureum. Lumpurnya setebel 10 cm 😮‍💨\n\n#banjirsukamaju #temen"),
    ("fikri.lensa", "0@20", "Debat dari balik lensa: tangan Bu Nining gemetar pas sesi pembuka, tapi closing statement-nya mantap 📷\n\n#debatpilkada #fotojurnalistik"),
    ("sukamaju.update", "1@20", "Malam minggu di Alun-alun Sukamaju: bazar UMKM, panggung musik, dan antrean sate maranggi 😋\n\n#sukamajuupdate #malmingan"),
]

BENIGN_INSTAGRAM += [
    ("sukamaju.foodies", "0@19", "Martabak manis 'Bang Jaya' rasa ketan hitam keju 😍 sekotak 35k, bisa buat nobar debat\n\n#kulinersukamaju #martabak #sukamajufoodies"),
    ("explore.sukamaju", "3@08", "Senin pagi di Simpang Lima, seperti biasa 🚗🚕🛵\n\n#exploresukamaju #senin", "Sukamaju Kota"),
    ("kopi.lembur.smj", "0@16", "Hujan + kopi tubruk + pisang goreng = paket Jumat sore 🤎 mampir ya\n\n#kopilembur #hujan"),
    ("reza.ptr", "3@11", "Antre SKCK buat lamar kerja, nomor 147. Sabar, sabar 🙃\n\n#jobseeker #senin"),
    ("salsabila.nrh", "0@09", "Jumat berkah, sarapan dulu sebelum ngampus 🍞\n\n#jumatberkah #mahasiswa"),
    ("putri.ayu.lestari", "3@19", "Besok masa tenang, akhirnya beranda IG balik isinya kucing 🐈 aman\n\n#masatenang"),
    ("nabila.zahra_", "1@10", "Ikut ibu ke kampanye akbar, cuma beli es krim terus pulang 😂\n\n#kampanye #sabtu"),
    ("hijab.ceu.mira", "2@11", "Order hari Minggu tetap dikirim Senin ya kak 🙏 kurir libur karena hujan\n\n#olshopsukamaju"),
    ("dapur.bunda.nia", "3@09", "Menu katering kantor minggu ini: ayam bakar madu, pepes tahu, sayur lodeh 🍱\n\n#cateringsukamaju #dapurbunda"),
    ("the.wandering.erik", "0@21", "Watched my first Indonesian candidate debate tonight with my host family. Understood maybe 30%. The snacks were 100% though.\n\n#indonesia #learningindonesian"),
    ("fadhil.hkm", "2@14", "Catatan: menyebarkan informasi bohong soal penyelenggaraan pemilihan bisa diproses. Tapi yang share karena panik juga sebaiknya diedukasi, bukan dihujat.\n\n#anakhukum #lawanhoaks"),
    ("realtalk.smj", "0@22", "Debat malam ini: siapa yang menurut kalian paling jawab pertanyaan, bukan paling lantang? 👇\n\n#realtalksmj #debatpilkada"),
    ("wulan.dari_", "2@08", "Poster kucing hilang udah ditempel di 20 tiang listrik, tolong kabarin kalo liat Mochi 😭\n\n#kucinghilang #sukamaju"),
    ("fikri.lensa", "2@14", "Ribuan anak muda di kampanye 03. Lighting-nya kebantu mendung 📷\n\n#fotojurnalistik #pasirlaja", "Pasirlaja"),
    ("bem.unsuka", "1@20", "Diskusi publik 'Membaca Program Paslon dengan Angka' Senin depan, terbuka untuk umum. Daftar via link di bio.\n\n#bemunsuka #diskusipublik"),
    ("teh.nenih.florist", "2@16", "Air mulai masuk toko 😭 bunga-bunga dinaikin ke meja dulu. Doakan aman.\n\n#cibeureumhilir #banjir", "Cibeureum Hilir"),
    ("ustadz.hanif.official", "2@12", "Jangan jadi perantara kebohongan. Jika ragu, diam lebih selamat 🤍\n\n#nasihat #tabayyun"),
]

# Benign captions with HTML/script-like content (escaping tests).
HTML_POSTS = [
    ("jualbeli.smj", "1@10", "<b>PROMO</b> kasur busa 2in1 cuma 850rb!! <i>free ongkir</i> area Sukamaju Kota 🛏️ Kasur &amp; bantal ready, chat aja"),
    ("putri.ayu.lestari", "3@22", "<script>alert(1)</script> wkwk iseng doang, lagi belajar web dev 😂 jangan di-report ya\n\n#ngoding #webdev #pemula"),
    ("dimas_gabut", "2@14", "caption pake <b>tebel</b> ga bisa ya di tiktok?? 😭 <br> gimana caranya #tanyatiktok #gabut"),
]

# A few more ordinary posts, mostly on the quieter Friday.
BENIGN_TIKTOK += [
    ("dimas_gabut", "0@00", "jam 12 malem masih melek, besok jumat masih kuliah pagi 😭 #insomnia #anakkos"),
    ("bocilfreefire_smj", "0@01", "main ff sampe jam 1 malem, besok dimarahin emak fix 😭 #freefire #begadang"),
]
BENIGN_FACEBOOK += [
    ("pak.haji.oman", "0@14", "Catatan untuk anak-anak muda di kampung kami menjelang debat nanti malam. Pertama, tontonlah debat sampai selesai, jangan cuma potongan video 30 detik yang sudah diedit orang. Kedua, catat janji tiap paslon dan tanyakan: anggarannya dari mana, kapan selesainya, siapa yang mengerjakan. Ketiga, jangan ikut menghina calon yang tidak kalian pilih; yang kalian hina itu juga dipilih tetangga kalian. Keempat, kalau dapat kiriman yang bikin marah, tahan dulu jempolnya, cek dulu kebenarannya. Pilkada ini cuma lima tahunan, tapi kita hidup bertetangga seumur hidup. Wassalam."),
    ("wawan.setiawan.smj", "0@09", "Sedikit hitung-hitungan sebelum debat nanti malam, biar kita nontonnya kritis. APBD Sukamaju 2026 sekitar Rp2,1 triliun. Belanja pegawai kira-kira 40%, belanja wajib pendidikan 20% dan kesehatan 10%. Yang benar-benar bisa dipakai untuk program baru mungkin tidak sampai Rp300 miliar per tahun. Sekarang lihat janjinya: jalan desa 400 km (01), irigasi 1.000 ha plus Kartu UMKM (02), internet desa gratis plus puskesmas 24 jam (03). Semuanya masuk akal kalau bertahap lima tahun dan ada dana provinsi atau pusat. Pertanyaan saya untuk malam ini: siapa yang berani menyebut angka dan urutannya?"),
    ("ratna.sari.smj", "0@07", "Jumat pagi, anak-anak berangkat sekolah pakai jas hujan. Semoga hari ini nggak banjir lagi ya Allah 🤲"),
]
BENIGN_INSTAGRAM += [
    ("explore.sukamaju", "0@11", "Gedung Serbaguna Sukamaju siap jadi lokasi debat publik ketiga malam ini 🎤\n\n#exploresukamaju #debatpilkada", "Sukamaju Kota"),
    ("dewi.kartika.smj", "0@14", "Test food vendor katering nikahan, semua enak, bingung milih 😭\n\n#weddingprep #katering"),
    ("bawaslu_sukamaju", "3@23", "Masa kampanye resmi berakhir pukul 23.59 WIB malam ini. Selamat memasuki masa tenang, warga Sukamaju. Mari jaga bersama 🤝\n\n#bawaslusukamaju #masatenang"),
]

# Scattered risky posts outside the bursts: insults, money politics, isolated hoaxes.
RISKY_OTHER = [
    ("bang.ocid_", "0@21", "paslon 01 tuh goblok apa gimana, ditanya anggaran malah cerita masa kecil 🤡🤡 #debatpilkada"),
    ("rohman.hakim.4412", "0@23", "Bupati cewek? Mau dibawa ke mana Sukamaju. Perempuan mah urusan dapur aja lah, Bu Nining pulang sana masak."),
    ("dimas_gabut", "1@15", "ada yg udh dapet amplop dari timses? di RW gw katanya besok subuh 'serangan fajar' 100rb per kepala 🤑 lumayan buat beli beras"),
    ("h.jajang.rw07", "3@21", "Yang mau dapat 150rb malam H-1, kumpulin fotokopi KTP ke saya ya. Syaratnya surat suara difoto pas nyoblos 📸 biar ketahuan. Jangan bilang siapa-siapa."),
    ("netizen.julid.smj", "2@19", "Fix paslon 03 dibiayai cukong. Mana mungkin internet gratis kalau gak ada bandar di belakangnya 🤬 #niba03 #cukong"),
    ("bang.ocid_", "3@14", "INFO: KTP-el yg terbit sebelum 2015 GA BISA dipake nyoblos tgl 27, harus bikin baru!! share ke keluarga 😱"),
    ("iwan.kurniawan.99", "1@11", "Katanya TPS di Karangsari Wetan bakal dipindah ke rumah kepala desa yang pro 01 biar pemilih bisa dipantau. Kalau bener, ini parah sih."),
    ("bang.ocid_", "2@20", "ya elah pendukung 02 emang otaknya di dengkul semua 🤣🤣"),
    ("netizen.julid.smj", "1@09", "Asep tuh mukanya aja udah muka maling 😤 #asri02"),
    ("h.jajang.rw07", "3@20", "Siapa yang tidak nyoblos 01 jangan harap dapat bantuan desa tahun depan. Saya yang pegang datanya. Ingat itu."),
    ("emed.ngamuk", "0@19", "Dadan itu boneka bupati lama, cuma nerusin dinasti. Muak 🤮 #dinasti #pilkadasukamaju2026"),
    ("iwan.kurniawan.99", "2@15", "Dicari 50 orang buat ramein kampanye, dibayar 75rb + kaos + nasi kotak. DM aja, yang penting teriak pas disuruh."),
    ("emed.ngamuk", "3@22", "Udah lah, pilkada pasti dicurangi. Mending golput aja, suara kita gak ada artinya 🙄 #golput"),
    ("bang.ocid_", "2@08", "Bu Nining tuh kalau ngomong kayak ibu2 arisan, gak ada isinya wkwk 🤡"),
    ("rohman.hakim.4412", "1@08", "Info dari grup sebelah: kampanye akbar 01 pagi ini bakal dibubarin ormas. Mending jangan dateng, bahaya."),
    ("alif.gamingg", "3@12", "serangan fajar taun ini katanya 200rb, naik dari kemaren. yg ngasih paling gede itu yg gw coblos 😎💸"),
    ("rehan.kopling", "0@14", "Rudi wakil 02 itu pengusaha tambang pasir ilegal, semua orang Sindangwangi tau. Jangan pilih perusak lingkungan!\n\n#pilkadasukamaju2026"),
    ("rohman.hakim.4412", "2@07", "Warga kampung Rancaseuweu itu kebanyakan gak punya KTP sini tapi bisa nyoblos. Awas penggelembungan suara!"),
    ("bang.ocid_", "1@23", "akun2 pendukung 01 tuh bot semua, norak 🤮"),
    ("mamat.rahmat.9", "3@17", "Kemarin ada yang bagi amplop habis pengajian, isinya 50rb + stiker 01. Saya terima aja, rezeki jangan ditolak, urusan nyoblos mah rahasia 🤭"),
    ("engkos.kosasih.57", "1@16", "Kang Bayu teh saha? Asalna ti mana? Urang dieu mah teu kenal. Ulah milih nu teu jelas asal-usulna."),
    ("ceu_imas_", "0@10", "Euis itu cuma modal duit suami, gak ngerti politik. Istri pejabat mah gitu 🙄"),
    ("budi.santoso.8890", "3@10", "PENTING!! Yang gak dapet undangan C-Pemberitahuan GAK BISA nyoblos, KTP aja gak berlaku. Buruan protes ke RT! Share!!"),
    ("netizen.julid.smj", "1@16", "Gw dibayar 100rb buat posting dukung 02 wkwk, kalian dapet berapa? #buzzer"),
    ("bang.ocid_", "2@14", "pendukung 03 kampungan semua, kampanye kok kayak konser dangdut murahan 🤮 #niba03"),
]

# BURST A: black-campaign push against the paslon 02 regent candidate, Sat 21 Nov 19:00-19:50 WIB.
# Every accusation here is fabricated for the test set (and false within the fiction too).
BURST_A = [
    ("suara.rakyat.sukamaju.bersatu", "", "🚨 TERBONGKAR!! Ijazah Sarjana Teknik milik Cabup 02 Asep Wiranegara diduga PALSU. Kampus 'Institut Teknik Parahyangan Raya' yang tercantum di ijazahnya TIDAK TERDAFTAR di PDDikti untuk angkatan 1994. Bukan cuma itu, waktu jadi Kadis PUPR proyek jalan Cikadu–Sindangwangi Rp14 M cuma diaspal tipis, sisanya entah ke mana. Orang yang memalsukan ijazah dan main proyek mau memimpin Sukamaju??? Rekam jejak kelam jangan dilupakan! #bongkarasep #sukamajutanpa02"),
    ("warga_peduli_2291", "", "ijazah asep wiranegara PALSU 😱 kampusnya ga terdaftar! jangan pilih 02!! #bongkarasep #sukamajutanpa02 #fyp #pilkadasukamaju2026"),
    ("bongkar.fakta.smj", "", "TERBONGKAR! Ijazah Cabup 02 Asep Wiranegara diduga PALSU. Kampusnya tidak terdaftar di PDDikti. Pemimpin kok modal ijazah bodong? 🤮\n\nSEBARKAN!\n\n#bongkarasep #sukamajutanpa02 #pilkadasukamaju2026"),
    ("ahmad.fauzi.88231", "", "Ijazah Asep Wiranegara PALSU!! Kampusnya gak terdaftar di PDDikti. Pemimpin kok modal ijazah bodong. SEBARKAN! #bongkarasep #sukamajutanpa02"),
    ("suara.rakyat.smj09", "", "Ijazah Asep Wiranegara PALSU!! Kampusnya gak terdaftar di PDDikti. Pemimpin kok modal ijazah bodong. SEBARKAN!! #bongkarasep #sukamajutanpa02"),
    ("rakyatsadar_2026", "", "Ijazah Asep Wiranegara PALSU!! kampusnya ga terdaftar di PDDikti. pemimpin kok modal ijazah bodong. sebarkan! 🔥\n\n#bongkarasep #sukamajutanpa02 #tolak02"),
    ("kang_jujur_7781", "", "Waktu jadi Kadis PUPR, proyek jalan Cikadu-Sindangwangi 14 M cuma diaspal tipis, sisanya masuk kantong. Sekarang mau jadi bupati? Rakyat jangan lupa!! #bongkarasep #korupsi"),
    ("relawan.anti.korupsi.smj", "", "RELAWAN ANTI KORUPSI SUKAMAJU MENGINGATKAN: Jejak korupsi dana proyek jalan & irigasi di Dinas PUPR era Asep Wiranegara (2015–2021) belum pernah diusut tuntas. Jalan yang katanya dibangun 14 M sudah hancur dalam 2 tahun. Uang rakyat ke mana? Jangan beri kesempatan koruptor memimpin! #bongkarasep #sukamajutanpa02"),
    ("info.jujur.sukamaju", "", "Kampanye ASRI dibiayai investor asing tambang pasir 💰 Kalau 02 menang, tanah Sukamaju dijual ke asing. Antek asing jangan dikasih panggung!\n\n#sukamajutanpa02 #bongkarasep #antekasing"),
    ("fakta.sukamaju.id", "", "antek asing mau jadi bupati 😡 investor tambang udh siap masuk kalo 02 menang. bangun sukamaju! #sukamajutanpa02 #antekasing #fyp"),
    ("siti.rahma.100234", "", "Saya cuma mau ingatkan ibu-ibu, calon nomor 02 itu punya istri kedua yang disembunyikan di Bandung. Anaknya juga pernah ketangkap narkoba tapi kasusnya ditutup pakai duit. Keluarga aja gak beres, gimana mau ngurus kabupaten? 😢 #bongkarasep"),
    ("pejuang_kebenaran_771", "", "Istri kedua disembunyikan, anak kena narkoba ditutup-tutupi, ijazah palsu, korupsi proyek. Paket lengkap cabup 02 😂🤮\n\n#bongkarasep #sukamajutanpa02"),
    ("user8812736450", "", "ijazah palsu ✅ korupsi ✅ antek asing ✅ istri kedua ✅ ... masih mau pilih 02? 🤡 #bongkarasep #sukamajutanpa02 #fyp #viral"),
    ("hendi.kurnia.2026", "", "Ijazah Asep Wiranegara PALSU!! Kampusnya gak terdaftar di PDDikti. Pemimpin kok modal ijazah bodong. SEBARKAN!!! #bongkarasep #sukamajutanpa02 https://bit.ly/ijazah-asep-palsu"),
    ("netizen.smj.0021", "", "cek link di bio: bukti ijazah palsu cabup 02 📄❌ kampus abal-abal!\n\n#bongkarasep #sukamajutanpa02 #ijazahpalsu"),
    ("warga_peduli_2291", "", "@asri.official02 jawab dong soal ijazah palsu! diem aja berarti bener 🤔 #bongkarasep"),
    ("bongkar.fakta.smj", "", "Rekam jejak kelam Asep Wiranegara 👇\n1. Ijazah dari kampus tak terdaftar\n2. Proyek jalan 14 M bermasalah\n3. Didanai investor asing\n4. Skandal keluarga\nJangan pilih 02! Sukamaju terlalu berharga.\n\n#bongkarasep #sukamajutanpa02 #pilkadasukamaju2026"),
    ("suara.rakyat.sukamaju.bersatu", "", "UPDATE: Makin banyak warga yang bersuara. Tim 02 sampai sekarang TIDAK BISA menunjukkan ijazah asli. Diam = mengaku! Terus bongkar, terus sebarkan. #bongkarasep #sukamajutanpa02"),
    ("kang_jujur_7781", "", "Asep Wiranegara teh tukang korupsi ti baheula, jaman jadi kadis. Ulah dipilih, baraya! Sukamaju lain kanggo koruptor 😡 #bongkarasep #sukamajutanpa02"),
    ("rakyatsadar_2026", "", "Ijazah Asep Wiranegara PALSU!! Kampusnya gak terdaftar di PDDikti. Pemimpin kok modal ijazah bodong. SEBARKAN!\n\n#bongkarasep #sukamajutanpa02"),
    ("ahmad.fauzi.88231", "", "Kalau bener ijazahnya asli, kenapa tim 02 gak berani tunjukin? Kita warga berhak tahu. Jangan sampai Sukamaju dipimpin penipu. #bongkarasep"),
    ("suara.rakyat.smj09", "", "korupsi dana irigasi + ijazah bodong = cabup 02 🤮🤮 #sukamajutanpa02 #bongkarasep #pilkadasukamaju2026 #fyp"),
    ("info.jujur.sukamaju", "", "Fakta yang disembunyikan media: Asep Wiranegara pernah diperiksa Kejaksaan soal proyek jalan 2019. Kenapa kasusnya hilang? 🤔\n\n#bongkarasep #sukamajutanpa02"),
    ("fakta.sukamaju.id", "", "BREAKING‼️ dokumen PDDikti bocor: kampus cabup 02 GA ADA. ijazah palsu confirmed 😱 #bongkarasep #ijazahpalsu #fyp"),
    ("relawan.anti.korupsi.smj", "", "Kami sudah kumpulkan bukti-bukti penyimpangan proyek era Kadis PUPR Asep Wiranegara. Dalam waktu dekat akan kami serahkan ke aparat. Rakyat Sukamaju, jangan pilih calon yang rekam jejaknya kelam! #bongkarasep #sukamajutanpa02"),
    ("pejuang_kebenaran_771", "", "Antek asing berkedok insinyur. Tanah leluhur mau dijual ke investor tambang 😡 Sukamaju bukan untuk dijual!\n\n#sukamajutanpa02 #antekasing #bongkarasep"),
    ("user8812736450", "", "yg bela 02 pasti dibayar 🤑 masa ijazah palsu masih dibela #bongkarasep #sukamajutanpa02"),
    ("siti.rahma.100234", "", "Ijazah Asep Wiranegara PALSU!! Kampusnya gak terdaftar di PDDikti. Pemimpin kok modal ijazah bodong. SEBARKAN! 🙏 #bongkarasep #sukamajutanpa02"),
    ("netizen.smj.0021", "", "Kata orang PUPR sendiri, proyek jaman Asep banyak yang fiktif. Sekarang mau jadi bupati, ngeri 😨\n\n#bongkarasep #sukamajutanpa02"),
    ("warga_peduli_2291", "", "Sukamaju tanpa 02 ✊ jangan pilih pemimpin ijazah palsu & antek asing #sukamajutanpa02 #bongkarasep #fyp #fypシ"),
    ("hendi.kurnia.2026", "", "Saya orang Sindangwangi, saya tahu betul jalan 14 M itu cuma tambal sulam. Yang kaya cuma kontraktor dan kadisnya. Sekarang kadisnya nyalon bupati. Mikir, warga! #bongkarasep", "Sindangwangi Kidul"),
    ("bongkar.fakta.smj", "", "Ini baru permulaan. Besok kami bongkar aliran dana investor asing ke tim ASRI. Stay tuned 👀\n\n#bongkarasep #sukamajutanpa02"),
    ("kang_jujur_7781", "", "jangan pilih 02! ijazah palsu, korupsi, antek asing. SEBARKAN sebelum di takedown!! #bongkarasep #sukamajutanpa02"),
    ("suara.rakyat.sukamaju.bersatu", "", "Terima kasih ribuan warga yang sudah membagikan. Tagar #bongkarasep trending di Sukamaju! Jangan berhenti sampai tanggal 27. Sukamaju tanpa 02! #sukamajutanpa02"),
    ("info.jujur.sukamaju", "", "Ijazah Asep Wiranegara PALSU!! Kampusnya gak terdaftar. Pemimpin kok modal ijazah bodong. SEBARKAN!\n\n#bongkarasep #sukamajutanpa02 #pilkadasukamaju2026"),
    ("fakta.sukamaju.id", "", "expose: candidate 02 fake degree + corruption. share before deleted!! #bongkarasep #sukamajutanpa02"),
    ("ahmad.fauzi.88231", "", "Mohon maaf kalau keras. Tapi sebagai warga saya tidak rela kabupaten ini dipimpin orang yang ijazahnya palsu dan dibiayai asing. Jangan pilih 02. #bongkarasep #sukamajutanpa02"),
    ("rakyatsadar_2026", "", "Tolak antek asing! Tolak koruptor! Tolak ijazah palsu! #sukamajutanpa02 ✊✊✊\n\n#bongkarasep"),
    ("suara.rakyat.smj09", "", "@bawaslu.sukamaju kok diem aja ada calon ijazah palsu?? #bongkarasep #sukamajutanpa02"),
    ("relawan.anti.korupsi.smj", "", "Satu jam tagar #bongkarasep sudah dibagikan ribuan kali. Suara rakyat tidak bisa dibungkam! Jangan pilih 02, jangan pilih koruptor! #sukamajutanpa02"),
]

# BURST B: hoax wave, Sun 22 Nov 09:00-09:40 WIB: "ballots already punched in the KPU warehouse"
# plus a fake "election postponed" circular. A few ordinary accounts forward it in good faith.
BURST_B = [
    ("info.orangdalam.smj", "", "INFO A1 dari orang dalam KPU 🚨 ribuan surat suara di gudang KPU Sukamaju SUDAH DICOBLOS nomor 01!! video bukti 👇 sebarkan sebelum dihapus!! #kpusukamajucurang #selamatkansuarasukamaju #fyp"),
    ("sukamaju.terupdate.info", "", "⚠️⚠️ INFO DARI ORANG DALAM ⚠️⚠️\nBarusan saya dapat kiriman video dari kenalan yang kerja di gudang logistik KPU Sukamaju (Pasirlaja). Terlihat tumpukan SURAT SUARA YANG SUDAH DICOBLOS di nomor 01, diikat per 100 lembar, siap dimasukkan ke kotak suara. Ini kecurangan terstruktur! KPU sudah tidak netral. SEBARKAN SEBELUM DIHAPUS, sebelum videonya di-takedown! #kpusukamajucurang #selamatkansuarasukamaju"),
    ("kabar.viral.smj", "", "VIRALKAN‼️ Surat suara sudah dicoblos di gudang KPU Sukamaju 😱 video dari orang dalam. Jangan diam, warga!\n\n#kpusukamajucurang #selamatkansuarasukamaju #viral #sukamaju"),
    ("hendi.kurnia.2026", "", "Innalillahi, ini bukti KPU Sukamaju curang. Surat suara sudah dicoblos duluan di gudang. Sebarkan sebelum dihapus! #kpusukamajucurang"),
    ("user8812736450", "", "surat suara udh dicoblos duluan di gudang KPU 😡😡 pilkada sukamaju udah diatur! viralkan!! #kpusukamajucurang #selamatkansuarasukamaju"),
    ("siti.rahma.100234", "", "⚠️INFO DARI ORANG DALAM⚠️ Di gudang logistik KPU Sukamaju ditemukan surat suara yang SUDAH DICOBLOS nomor 01. KPU sudah tidak netral. SEBARKAN SEBELUM DIHAPUS! #kpusukamajucurang #selamatkansuarasukamaju"),
    ("dokumen.bocor.smj", "", "📄 BOCOR: Surat Edaran KPU No. 1187/PL.02-SE/3204/2026 — Pilkada Sukamaju DITUNDA ke 2027 karena 'masalah logistik'. Masalah logistik = surat suara udah dicoblos duluan ketahuan 🤫\n\n#kpusukamajucurang #selamatkansuarasukamaju #pilkadaditunda"),
    ("fakta.sukamaju.id", "", "katanya pilkada sukamaju mau DITUNDA gara2 surat suara tercoblos ketahuan 😳 surat edarannya udh bocor. sebarkan sebelum dihapus #kpusukamajucurang #pilkadaditunda #fyp"),
    ("hj.entin.kuraesin", "", "Astagfirullah baraya, ieu aya kiriman ti grup pangaosan: surat suara parantos dicoblos di gudang KPU. Leres henteu ieu? Mangga disebarkeun supados waspada 🙏 #selamatkansuarasukamaju"),
    ("netizen.smj.0021", "", "orang dalam KPU udah speak up: surat suara dicoblos duluan. ini bukan hoaks, videonya jelas! VIRALKAN 🔥\n\n#kpusukamajucurang #selamatkansuarasukamaju"),
    ("engkos.kosasih.57", "", "Kiriman ti grup WA: 'Di gudang KPU Sukamaju aya surat suara nu tos dicoblos nomer 01. Sebarkan sebelum dihapus.' Duh, kumaha ieu teh? Ulah nepi ka curang atuh."),
    ("warga_peduli_2291", "", "INFO A1: surat suara sudah dicoblos di gudang KPU Pasirlaja. Warga ayo jaga gudang malam ini! #selamatkansuarasukamaju #kpusukamajucurang", "Pasirlaja"),
    ("sukamaju.terupdate.info", "", "PENGUMUMAN (BOCORAN): Berdasarkan Surat Edaran KPU Kabupaten Sukamaju Nomor 1187/PL.02-SE/3204/2026, pemungutan suara Pilkada Sukamaju yang semula 27 November 2026 DITUNDA sampai waktu yang belum ditentukan. Alasan resmi: kendala logistik. Alasan sebenarnya: surat suara sudah dicoblos duluan dan ketahuan! Sebarkan sebelum dihapus! #kpusukamajucurang #pilkadaditunda"),
    ("kabar.viral.smj", "", "Video full surat suara dicoblos di gudang KPU ada di story 👆 cepet tonton sebelum di-takedown!\n\n#kpusukamajucurang #selamatkansuarasukamaju #viralkan"),
    ("info.orangdalam.smj", "", "part 2: orang dalam bilang yg nyoblos petugas malem2 pake sarung tangan biar ga ketauan 😱 viralkan #kpusukamajucurang #selamatkansuarasukamaju #fyp #viral"),
    ("rohman.hakim.4412", "", "Sudah saya duga dari awal, KPU Sukamaju main mata sama 01. Surat suara dicoblos di gudang, pilkada mau ditunda. Rakyat jangan diam! #kpusukamajucurang"),
    ("dokumen.bocor.smj", "", "Screenshot grup internal petugas gudang KPU: 'yang 01 sudah beres 12 ribu lembar' 😳 orang dalam yang kirim. SEBARKAN!\n\n#kpusukamajucurang #selamatkansuarasukamaju"),
    ("ceu_imas_", "", "ieu leres teu? ceunah surat suara tos dicoblos di gudang KPU 😭 share wae lah bisi leres #selamatkansuarasukamaju"),
    ("oom.komariah", "", "Barusan dapat dari grup keluarga: surat suara di gudang KPU sudah dicoblos duluan, pilkada katanya ditunda. Ya Allah, ada-ada saja. Sebarkan ke keluarga ya biar pada tahu."),
    ("siti.rahma.100234", "", "Kalau pilkada ditunda, siapa yang diuntungkan? Jelas petahana! Surat suara sudah dicoblos, tinggal tunggu waktu. Viralkan sebelum dihapus! #kpusukamajucurang #pilkadaditunda"),
    ("user8812736450", "", "info dari orang dalam: 12 ribu surat suara udh dicoblos 01 🤬 viralkan!! #kpusukamajucurang"),
    ("netizen.smj.0021", "", "KPU Sukamaju = Komisi Pencoblos Utama 🤡 surat suara dicoblos duluan. Sebarkan sebelum dihapus!\n\n#kpusukamajucurang #selamatkansuarasukamaju"),
    ("hendi.kurnia.2026", "", "Warga Pasirlaja yang dekat gudang KPU, tolong cek langsung! Info dari orang dalam, malam ini mau dipindahkan surat suara yang sudah dicoblos. Viralkan! #selamatkansuarasukamaju"),
    ("fakta.sukamaju.id", "", "gudang KPU pasirlaja digembok, kenapa?? karena isinya surat suara udh dicoblos 😱 #kpusukamajucurang #fyp #viral"),
    ("sukamaju.terupdate.info", "", "Sudah 2 ribu kali dibagikan! Terus sebarkan sebelum dihapus. Kami punya video lengkapnya dari orang dalam, KPU tidak bisa mengelak. #kpusukamajucurang #selamatkansuarasukamaju"),
    ("kabar.viral.smj", "", "Info dari orang dalam: surat suara sudah dicoblos 01 di gudang KPU Sukamaju. Sebarkan sebelum dihapus!!\n\n#kpusukamajucurang #selamatkansuarasukamaju"),
    ("warga_peduli_2291", "", "surat suara sudah dicoblos duluan di gudang KPU sukamaju!! sebarkan sebelum dihapus!! #kpusukamajucurang #selamatkansuarasukamaju #fyp"),
    ("hj.entin.kuraesin", "", "Sumuhun, ceuk nu di grup sanes mah pilkada bade ditunda. Mugia teu leres 🤲 #selamatkansuarasukamaju"),
    ("dokumen.bocor.smj", "", "Hak suara warga Sukamaju sudah dirampok sebelum hari H. Surat suara dicoblos di gudang KPU. Ayo bergerak!\n\n#selamatkansuarasukamaju #kpusukamajucurang"),
    ("info.orangdalam.smj", "", "KPU pasti bilang ini hoaks, tapi orang dalam ga mungkin bohong 😏 sebarkan sebelum dihapus #kpusukamajucurang #selamatkansuarasukamaju"),
    ("siti.rahma.100234", "", "Info dari orang dalam KPU: surat suara sudah dicoblos nomor 01 di gudang KPU Sukamaju. Sebarkan sebelum dihapus! #kpusukamajucurang #selamatkansuarasukamaju"),
    ("netizen.smj.0021", "", "Jangan percaya klarifikasi @kpusukamaju nanti ya, pasti ngeles. Videonya jelas: surat suara sudah dicoblos 🎥\n\n#kpusukamajucurang"),
    ("user8812736450", "", "viralkan!! surat suara dicoblos, pilkada ditunda, rakyat dibohongi 😡 #kpusukamajucurang #selamatkansuarasukamaju #pilkadaditunda"),
    ("hendi.kurnia.2026", "", "Info dari orang dalam KPU: surat suara sudah dicoblos nomor 01 di gudang KPU Sukamaju. Sebarkan sebelum dihapus!! #kpusukamajucurang"),
    ("sukamaju.terupdate.info", "", "Warga Sukamaju bersatu! Besok pagi kita datangi kantor KPU, tuntut penjelasan soal surat suara yang sudah dicoblos. Viralkan! #selamatkansuarasukamaju #kpusukamajucurang"),
]

# BURST C: SARA provocation against "pendatang" (the fictional Kampung Rancaseuweu) and the
# paslon 03 running mate, Sun 22 Nov 21:00-22:00 WIB. Provocative on purpose, without slurs.
BURST_C = [
    ("forum.warga.asli.smj", "", "SIAGA SATU WARGA SUKAMAJU! Beredar video massa dari Kampung Rancaseuweu bawa senjata tajam setelah kampanye 03. Pendatang sudah mulai berani di tanah kita. Warga asli Sukamaju, RAPATKAN BARISAN! Jangan biarkan tanah leluhur dikuasai orang luar. #jagatanahleluhur #tolakpendatang"),
    ("pejuang_nkri_smj", "", "pendatang makin ngelunjak 😡 udah numpang, sekarang mau ngatur kampung orang. rapatkan barisan warga asli! #jagatanahleluhur #tolakpendatang #fyp"),
    ("laskar.pribumi.smj", "", "Sukamaju milik urang asli. Pendatang jangan ngatur! Kalau 03 menang, Rancaseuweu jadi raja di tanah kita 😡\n\n#jagatanahleluhur #tolakpendatang #pribumi"),
    ("putra.daerah.smj", "", "Bayu Setiaji itu bukan orang sini, beda agama pula. Masa kita mau dipimpin orang yang tidak seiman dan tidak punya akar di Sukamaju? Jangan pilih yang beda agama! #tolakpendatang"),
    ("lembur_urang_1945", "", "urang pribumi kudu ngahiji! pendatang ulah dibere tempat. usir ti lembur urang! #jagatanahleluhur #tolakpendatang"),
    ("sukamaju.asli.id", "", "Pilih pemimpin yang seiman dan asli daerah. Jangan sampai Sukamaju dipimpin pendatang yang beda agama 🙅‍♂️\n\n#jagatanahleluhur #tolakpendatang #sukamajuasli"),
    ("ahmad.fauzi.88231", "", "Warga Rancaseuweu itu kebanyakan pendatang, kerja di pabrik, numpang KTP, sekarang bawa massa. Sudah waktunya kita usir! Besok kita turun ke jalan! #tolakpendatang #jagatanahleluhur"),
    ("kang_jujur_7781", "", "siap turun ke jalan besok!! jaga kampung dari pendatang 🔥🔥 #tolakpendatang #jagatanahleluhur #fyp"),
    ("rakyatsadar_2026", "", "Rapatkan barisan, warga asli! Mereka sudah kuasai pabrik, sekarang mau kuasai kabupaten. Usir pendatang yang bikin rusuh!\n\n#tolakpendatang #jagatanahleluhur"),
    ("forum.warga.asli.smj", "", "INSTRUKSI: Seluruh pemuda warga asli Kecamatan Tegalmanik kumpul besok jam 8 di lapangan desa. Kita sweeping KTP di Rancaseuweu, yang bukan warga sini suruh pulang ke kampungnya! Siap turun ke jalan! #jagatanahleluhur #tolakpendatang", "Tegalmanik"),
    ("bang.ocid_", "", "pendatang mah tau diri aja lah, numpang ya numpang, jangan ikut milih2 bupati segala 😤 #tolakpendatang"),
    ("laskar.pribumi.smj", "", "Jangan pilih pemimpin yang beda agama! Haram hukumnya dipimpin yang tidak seiman. Sebarkan ke semua grup pengajian!\n\n#jagatanahleluhur #tolakpendatang"),
    ("rohman.hakim.4412", "", "Dari dulu saya bilang, pendatang di Rancaseuweu itu bibit masalah. Sekarang terbukti bawa massa. Usir aja semua, kampung kita jadi aman lagi. #tolakpendatang"),
    ("emed.ngamuk", "", "kampung urang dijajah pendatang 😡 bangun warga asli! siap turun ke jalan #jagatanahleluhur #tolakpendatang #sukamaju"),
    ("netizen.julid.smj", "", "03 = calon pendatang, didukung pendatang, buat kepentingan pendatang. Warga asli dapet apa? 🤬\n\n#tolakpendatang #jagatanahleluhur"),
    ("putra.daerah.smj", "", "Tanah leluhur kita dibeli murah, dijadikan pabrik, lalu diisi pendatang. Sekarang mereka mau kuasai kursi bupati lewat Bayu. Sampai kapan kita diam? Rapatkan barisan, usir penjajah baru! #jagatanahleluhur #tolakpendatang"),
    ("pejuang_nkri_smj", "", "jangan pilih yang beda agama!! ini soal akidah, bukan soal politik ☝️ #tolakpendatang #jagatanahleluhur #fyp"),
    ("sukamaju.asli.id", "", "Video massa Rancaseuweu bawa golok 😱 ini yang mau kalian jadikan tetangga? Warga asli siap jaga kampung!\n\n#jagatanahleluhur #tolakpendatang #siagasatu"),
    ("forum.warga.asli.smj", "", "Kepada seluruh warga asli Sukamaju: jangan jual tanah, jangan sewakan kontrakan ke pendatang, jangan belanja di warung mereka. Boikot sampai mereka pergi! #jagatanahleluhur #tolakpendatang"),
    ("lembur_urang_1945", "", "Rancaseuweu kudu dibersihkeun! pendatang balik ka asal! siap turun ka jalan 🔥 #tolakpendatang"),
    ("rakyatsadar_2026", "", "Pemimpin beda agama = bencana buat umat. Jangan pilih 03! Sebarkan!\n\n#tolakpendatang #jagatanahleluhur"),
    ("ahmad.fauzi.88231", "", "Warga asli jangan mau kalah di tanah sendiri! Usir pendatang yang bikin rusuh, jangan pilih pemimpin yang beda agama! Besok kita turun ke jalan! #jagatanahleluhur #tolakpendatang"),
    ("kang_jujur_7781", "", "usir pendatang dari Rancaseuweu!! sukamaju buat warga asli ✊ #tolakpendatang #jagatanahleluhur"),
    ("laskar.pribumi.smj", "", "Laskar Pribumi Sukamaju siap siaga. Kalau aparat diam, kami yang turun ke jalan 🇮🇩✊\n\n#jagatanahleluhur #tolakpendatang #laskarpribumi"),
    ("rohman.hakim.4412", "", "Yang bela pendatang di kolom komen itu pasti bukan orang sini atau dibayar. Warga asli harus bersatu, jangan mau dipecah! #tolakpendatang"),
    ("emed.ngamuk", "", "nu can sadar, pendatang geus ngawasa pabrik jeung pasar. ayeuna rek ngawasa kabupaten. hudang urang Sukamaju! #jagatanahleluhur"),
    ("netizen.julid.smj", "", "Bayu Setiaji: bukan asli sini ✅ beda agama ✅ didukung pendatang ✅. Masih mau pilih 03? 🤡\n\n#tolakpendatang"),
    ("putra.daerah.smj", "", "Mulai malam ini ronda kampung diperketat. Orang luar dari Rancaseuweu masuk kampung kita, tanya KTP-nya! Jangan kasih ruang! #jagatanahleluhur #tolakpendatang", "Tegalmanik"),
    ("pejuang_nkri_smj", "", "warga asli rapatkan barisan!! besok kita kumpul, usir yang bikin rusuh di tanah leluhur kita 🔥🇮🇩 #jagatanahleluhur #tolakpendatang #fyp"),
    ("forum.warga.asli.smj", "", "Terima kasih ribuan warga asli yang sudah bergabung di grup. Tanah leluhur tidak untuk pendatang! Tunggu instruksi selanjutnya. #jagatanahleluhur #tolakpendatang"),
]

# A copy-paste campaign: one message, lightly edited, from nine accounts on three platforms.
BURST_D = [
    ("user8812736450", "", "INFO PENTING warga Sukamaju!! Besok Minggu jam 7 pagi ada pembagian sembako + amplop Rp100.000 di posko dekat balai desa. Syaratnya bawa fotokopi KTP dan KK, nanti dicatat tim. Kuota terbatas, siapa cepat dia dapat. Bagikan ke grup RT kalian!"),
    ("siti.rahma.100234", "", "INFO PENTING warga Sukamaju! Besok Minggu jam 7 pagi ada pembagian sembako + amplop Rp100.000 di posko dekat balai desa. Syaratnya bawa fotokopi KTP dan KK, nanti dicatat tim. Kuota terbatas, siapa cepat dia dapat. Bagikan ke grup RT kalian 🙏"),
    ("info.jujur.sukamaju", "", "📢 INFO PENTING warga Sukamaju!! Besok Minggu jam 7 pagi ada pembagian sembako + amplop Rp100.000 di posko dekat balai desa. Syaratnya bawa fotokopi KTP dan KK, nanti dicatat tim. Kuota terbatas, siapa cepat dia dapat!! Bagikan ke grup RT kalian\n\n#infosukamaju #sembakogratis"),
    ("fakta.sukamaju.id", "", "info penting warga sukamaju!! besok minggu jam 7 pagi ada pembagian sembako + amplop Rp100.000 di posko dekat balai desa. syaratnya bawa fotokopi KTP dan KK, nanti dicatat tim. kuota terbatas siapa cepat dia dapat. bagikan ke grup RT kalian! #fyp"),
    ("hendi.kurnia.2026", "", "INFO PENTING warga Sukamaju!! Besok Minggu jam 7 pagi ada pembagian sembako + amplop Rp100.000 di posko dekat balai desa. Syaratnya bawa fotokopi KTP dan KK nanti dicatat tim. Kuota terbatas, siapa cepat dia dapat. Bagikan ke grup RT dan grup pengajian kalian!"),
    ("netizen.smj.0021", "", "INFO PENTING warga Sukamaju!! Besok Minggu jam 7 pagi ada pembagian sembako + amplop Rp100.000 di posko dekat balai desa. Syaratnya bawa fotokopi KTP dan KK, nanti dicatat tim. Kuota terbatas, siapa cepat dia dapat 🏃‍♀️🏃 Bagikan ke grup RT kalian! #sembakogratis"),
    ("info.orangdalam.smj", "", "Dapat info dari orang dalam: INFO PENTING warga Sukamaju!! Besok Minggu jam 7 pagi ada pembagian sembako + amplop Rp100.000 di posko dekat balai desa. Syaratnya bawa fotokopi KTP dan KK, nanti dicatat tim. Kuota terbatas, siapa cepat dia dapat."),
    ("sukamaju.terupdate.info", "", "INFO PENTING warga Sukamaju!! Besok Minggu jam 7 pagi ada pembagian sembako + amplop Rp100.000 di posko dekat balai desa. Syaratnya bawa fotokopi KTP dan KK, nanti dicatat tim. Kuota terbatas, siapa cepat dia dapat. Bagikan ke grup RT kalian!!!"),
    ("kabar.viral.smj", "", "INFO PENTING warga Sukamaju!! Besok Minggu jam 7 pagi ada pembagian sembako + amplop Rp100.000 di posko dekat balai desa 🎁 Syaratnya bawa fotokopi KTP dan KK, nanti dicatat tim. Kuota terbatas, siapa cepat dia dapat. Bagikan ke grup RT kalian!\n\n#sukamaju #infowarga"),
]

CATEGORIES = (
    ("benign", BENIGN_TIKTOK),
    ("benign", BENIGN_FACEBOOK),
    ("benign", BENIGN_INSTAGRAM),
    ("benign", HTML_POSTS),
    ("risky", RISKY_OTHER),
    ("burst_a", BURST_A),
    ("burst_b", BURST_B),
    ("burst_c", BURST_C),
    ("burst_d", BURST_D),
)

# ---------------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------------
HASHTAG_RE = re.compile(r"(?<![\w&/#])#(\w+)")
MENTION_RE = re.compile(r"(?<![\w.@/])@([A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?)")

IG_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
IG_EPOCH_MS = 1314220021721

ENGAGEMENT_MU = {
    "person": 2.2,
    "heavy": 3.6,
    "umkm": 3.0,
    "media": 4.8,
    "official": 4.3,
    "campaign": 4.9,
    "sus": 1.9,
}
SHARE_RATIO = {"facebook": (0.05, 0.5), "tiktok": (0.01, 0.15), "instagram": (0.0, 0.06)}


def extract_hashtags(text: str) -> list[str]:
    """Hashtags in order of appearance, lowercased, without '#', no duplicates."""
    tags: list[str] = []
    for match in HASHTAG_RE.finditer(text):
        tag = match.group(1).lower()
        if not tag.isdigit() and tag not in tags:
            tags.append(tag)
    return tags


def extract_mentions(text: str) -> list[str]:
    """@mentions in order of appearance, lowercased, without '@', no duplicates."""
    handles: list[str] = []
    for match in MENTION_RE.finditer(text):
        handle = match.group(1).lower()
        if handle not in handles:
            handles.append(handle)
    return handles


def ig_shortcode(media_id: int) -> str:
    chars = []
    while media_id:
        media_id, rem = divmod(media_id, 64)
        chars.append(IG_ALPHABET[rem])
    return "".join(reversed(chars))


def iso_z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def pick_time(rng: random.Random, when: str) -> datetime:
    """A WIB moment from a `when` hint (see the comment above BENIGN_TIKTOK), as UTC."""
    day_part, _, hour_part = when.partition("@")
    day = int(day_part) if day_part else rng.randrange(4)
    if hour_part:
        first, _, last = hour_part.partition("-")
        hour = rng.randint(int(first), int(last or first))
    else:
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
    moment = SPAN_START + timedelta(days=day, hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60))
    return moment.astimezone(UTC)


def burst_times(rng: random.Random, category: str, count: int) -> list[datetime]:
    start, minutes = BURST_WINDOWS[category]
    window = minutes * 60
    offsets = sorted(rng.uniform(0, window - 1) for _ in range(count))
    offsets[0] = min(offsets[0], rng.uniform(20, 120))  # the seed post opens the window
    return [(start + timedelta(seconds=int(off))).astimezone(UTC) for off in offsets]


def make_accounts(rng: random.Random) -> dict[str, dict]:
    accounts: dict[str, dict] = {}
    for handle, display, platform, home, kind in AUTHORS:
        if handle in accounts:
            raise ValueError(f"duplicate author handle {handle}")
        if home is not None and home not in KECAMATAN:
            raise ValueError(f"unknown kecamatan {home!r} for {handle}")
        is_page = False
        if platform == "tiktok":
            low, high = (7_380_000_000_000_000_000, 7_460_000_000_000_000_000) if kind == "sus" else (
                6_720_000_000_000_000_000, 7_300_000_000_000_000_000)
            author_id = str(rng.randrange(low, high))
        elif platform == "facebook":
            is_page = kind in FB_PAGE_KINDS or handle in FB_SUS_PAGES
            if is_page:
                author_id = str(rng.randrange(100_200_000_000_000, 113_000_000_000_000))
            elif kind == "sus":  # recently created profiles get 14-digit ids starting 6155...
                author_id = str(rng.randrange(61_550_000_000_000, 61_570_000_000_000))
            else:
                author_id = str(rng.randrange(100_000_100_000_000, 100_095_000_000_000))
        else:
            low, high = (66_000_000_000, 71_000_000_000) if kind == "sus" else (900_000_000, 58_000_000_000)
            author_id = str(rng.randrange(low, high))
        accounts[handle] = {
            "id": author_id,
            "handle": handle,
            "display_name": display,
            "platform": platform,
            "home": home,
            "kind": kind,
            "page": is_page,
        }
    return accounts


def pick_region(rng: random.Random, account: dict, explicit: str | None) -> str | None:
    if explicit is not None:
        if explicit == "-":
            return None
        if explicit not in KECAMATAN:
            raise ValueError(f"unknown kecamatan {explicit!r}")
        return explicit
    if account["home"] is None:
        return None
    return account["home"] if rng.random() < 0.8 else None


def make_engagement(rng: random.Random, platform: str, kind: str, category: str) -> dict:
    mu = ENGAGEMENT_MU[kind] + (0.6 if platform == "tiktok" else 0.0)
    if category.startswith("burst"):
        mu += 0.7
    elif category == "risky":
        mu += 0.3
    likes = int(rng.lognormvariate(mu, 1.0))
    if category == "burst_c":
        comments = int(likes * rng.uniform(0.4, 1.2)) + rng.randint(2, 20)
    else:
        comments = int(likes * rng.uniform(0.02, 0.3)) + rng.randint(0, 3)
    low, high = SHARE_RATIO[platform]
    if category == "burst_a":
        low, high = low * 2 + 0.2, high * 2 + 0.3
    elif category == "burst_b":
        low, high = low * 3 + 0.3, high * 3 + 0.5
    shares = int(likes * rng.uniform(low, high))
    if platform == "tiktok":
        views: int | None = int(likes * rng.uniform(8, 40)) + rng.randint(100, 2000)
    elif platform == "instagram" and rng.random() < 0.3:  # reels
        views = int(likes * rng.uniform(6, 25)) + rng.randint(50, 800)
    else:
        views = None
    return {"likes": likes, "comments": comments, "shares": shares, "views": views}


def make_ids(rng: random.Random, account: dict, created: datetime, used: set[tuple[str, str]]) -> tuple[str, str]:
    platform = account["platform"]
    while True:
        if platform == "tiktok":
            video_id = (int(created.timestamp()) << 32) | rng.getrandbits(32)
            native_id = str(video_id)
            url = f"https://www.tiktok.com/@{account['handle']}/video/{native_id}"
        elif platform == "facebook":
            post_id = str(rng.randrange(100_000_000_000_000, 1_000_000_000_000_000))
            native_id = f"{account['id']}_{post_id}"
            owner = account["handle"] if account["page"] else account["id"]
            url = f"https://www.facebook.com/{owner}/posts/{post_id}"
        else:
            millis = int(created.timestamp() * 1000) + rng.randrange(1000)
            media_id = ((millis - IG_EPOCH_MS) << 23) | (rng.randrange(8192) << 10) | rng.randrange(1024)
            native_id = str(media_id)
            url = f"https://www.instagram.com/p/{ig_shortcode(media_id)}/"
        if (platform, native_id) not in used:
            used.add((platform, native_id))
            return native_id, url


def build() -> list[tuple[str, dict]]:
    """All posts as (category, record) pairs, sorted by created_at; deterministic."""
    rng = random.Random(SEED)
    accounts = make_accounts(rng)
    used: set[tuple[str, str]] = set()
    rows: list[tuple[str, dict]] = []
    for category, entries in CATEGORIES:
        times = burst_times(rng, category, len(entries)) if category in BURST_WINDOWS else None
        for index, entry in enumerate(entries):
            handle, when, text = entry[0], entry[1], entry[2]
            explicit_region = entry[3] if len(entry) > 3 else None
            account = accounts[handle]
            created = times[index] if times is not None else pick_time(rng, when)
            collected = created + timedelta(seconds=rng.randint(5 * 60, 180 * 60))
            native_id, url = make_ids(rng, account, created, used)
            record = {
                "platform": account["platform"],
                "native_id": native_id,
                "url": url,
                "author": {
                    "id": account["id"],
                    "handle": handle,
                    "display_name": account["display_name"],
                },
                "text": text,
                "hashtags": extract_hashtags(text),
                "mentions": extract_mentions(text),
                "created_at": iso_z(created),
                "collected_at": iso_z(collected),
                "engagement": make_engagement(rng, account["platform"], account["kind"], category),
                "region": pick_region(rng, account, explicit_region),
            }
            rows.append((category, record))
    rows.sort(key=lambda row: (row[1]["created_at"], row[1]["platform"], row[1]["native_id"]))
    start, end = iso_z(SPAN_START), iso_z(SPAN_END)
    for _, record in rows:
        if not start <= record["created_at"] <= end:
            raise ValueError(f"created_at out of span: {record['created_at']} {record['text'][:40]!r}")
    return rows


def build_broken(template: dict) -> list[bytes]:
    """Six records a connector or exporter can really emit, each invalid in a different way."""

    def variant(suffix: str, **changes: object) -> dict:
        return {**template, "native_id": template["native_id"][:-4] + suffix, **changes}

    def encoded(record: dict, encoding: str = "utf-8") -> bytes:
        return json.dumps(record, ensure_ascii=False).encode(encoding, errors="replace")

    missing = variant("9002")
    del missing["text"], missing["created_at"]
    return [
        encoded(variant("9001"))[:120],  # cut off mid-object, as a crashed exporter leaves it
        encoded(missing),  # required fields missing
        encoded(variant("9003", engagement={"likes": "1,2rb", "comments": 0, "shares": 0},
                        created_at="kemarin sore")),  # wrong types
        encoded(variant("9004", text=("Bacaan panjang soal pilkada. " * 400).strip())),  # over 10,000 chars
        encoded(variant("9005", text="caf\u00e9 depan kantor KPU rame"), "latin-1"),  # not UTF-8
        encoded(variant("9006", platform="myspace")),  # a platform Siaga does not collect
    ]


def main() -> int:
    rows = build()
    BROKEN_OUT.write_bytes(b"\n".join(build_broken(rows[0][1])) + b"\n")
    print(f"wrote 6 invalid records to {BROKEN_OUT}", file=sys.stderr)
    with OUT.open("w", encoding="utf-8", newline="\n") as handle:
        for _, record in rows:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    counts = Counter((category, record["platform"]) for category, record in rows)
    print(f"wrote {len(rows)} posts to {OUT}", file=sys.stderr)
    for category in ("benign", "risky", "burst_a", "burst_b", "burst_c", "burst_d"):
        per = {p: counts[(category, p)] for p in ("tiktok", "facebook", "instagram")}
        print(f"  {category:8} {sum(per.values()):4}  {per}", file=sys.stderr)
    with_region = sum(1 for _, record in rows if record["region"])
    print(f"  region known: {with_region} ({with_region / len(rows):.0%})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
