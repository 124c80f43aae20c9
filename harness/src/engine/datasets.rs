//! Our own deterministic data sets for the compression cases (sections 12 and 13), of the same
//! kinds as Autobahn's test files: JSON, a grayscale bitmap, long prose, HTML and a PDF-like
//! binary. Nothing is copied from Autobahn's files; each generator builds plausible data from
//! a seed, so the octets (and so the compression ratios) are the same on every machine.
//!
//! The PRNG is our own SplitMix64, not `rand`'s, whose algorithms may change between releases.

use crate::case::{Dataset, DatasetKind};

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and fixed forever.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        // The modulo bias is irrelevant for test data.
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// The octets of `set`: exactly `set.size` long.
pub(crate) fn generate(set: &Dataset) -> Vec<u8> {
    let mut rng = Rng(set.seed ^ 0x5745_4253_4f43_4b45);
    let mut out = match set.kind {
        DatasetKind::Json => json(&mut rng, set.size),
        DatasetKind::Bitmap => bitmap(&mut rng, set.size),
        DatasetKind::Text => prose(&mut rng, set.size),
        DatasetKind::Html => html(&mut rng, set.size),
        DatasetKind::Pdf => pdf(&mut rng, set.size),
    };
    // Every generator writes at least `size` octets; text data is ASCII, so any cut is UTF-8.
    out.truncate(set.size);
    if set.kind != DatasetKind::Text {
        return out;
    }
    if let Err(e) = std::str::from_utf8(&out) {
        // Prose has umlauts: a cut inside one becomes spaces, so the set stays UTF-8.
        let good = e.valid_up_to();
        out[good..].fill(b' ');
    }
    out
}

const WORDS: &[&str] = &[
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
    "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango",
    "uniform", "victor", "whiskey", "xray", "yankee", "zulu", "socket", "frame", "message",
    "deflate", "window", "context", "server", "client", "payload", "header", "buffer", "stream",
];

/// Test results as a conformance run writes them: agents, then case ids, then a record of
/// verdicts, timings and file names. Like real machine-written JSON (and like Autobahn's file),
/// it repeats its keys and most values from record to record, so it compresses to about 5%.
fn json(rng: &mut Rng, size: usize) -> Vec<u8> {
    const VERDICTS: &[&str] = &[
        "OK",
        "OK",
        "OK",
        "OK",
        "NON-STRICT",
        "INFORMATIONAL",
        "FAILED",
    ];
    let mut s = String::from("{\n");
    let mut agent = 0;
    while s.len() < size {
        agent += 1;
        let name = format!(
            "{}{}/{}.{}",
            rng.pick(WORDS),
            rng.pick(WORDS),
            1 + rng.below(3),
            rng.below(10)
        );
        let file = name.to_lowercase().replace(['/', '.'], "_");
        s += &format!("   \"{name}\": {{\n");
        'sections: for section in 1..=13 {
            for group in 1..=1 + rng.below(8) {
                for case in 1..=1 + rng.below(20) {
                    let id = format!("{section}.{group}.{case}");
                    let slow = rng.below(10) == 0;
                    let duration = 1 + rng.below(if slow { 2000 } else { 12 });
                    s += &format!(
                        "      \"{id}\": {{\n         \"behavior\": \"{}\",\n         \"behaviorClose\": \"{}\",\n         \"duration\": {},\n         \"remoteCloseCode\": {},\n         \"reportfile\": \"{file}_case_{}.json\"\n      }},\n",
                        rng.pick(VERDICTS),
                        rng.pick(&["OK", "OK", "OK", "INFORMATIONAL"]),
                        duration,
                        rng.pick(&["1000", "1000", "1000", "1002", "null"]),
                        id.replace('.', "_"),
                    );
                    if s.len() >= size {
                        break 'sections;
                    }
                }
            }
        }
        s += &format!("      \"agent\": {agent}\n   }},\n");
    }
    s += "}\n";
    s.into_bytes()
}

/// A 512x512 8-bit grayscale BMP (header, 256-entry palette, pixels): smooth shapes with a
/// little noise, which compresses about as well as a photograph.
fn bitmap(rng: &mut Rng, size: usize) -> Vec<u8> {
    const W: usize = 512;
    let pixels = W * W;
    let offset = 14 + 40 + 1024;
    let file = offset + pixels;
    let mut out = Vec::with_capacity(file.max(size));
    out.extend_from_slice(b"BM");
    out.extend_from_slice(&(file as u32).to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(offset as u32).to_le_bytes());
    out.extend_from_slice(&40u32.to_le_bytes());
    out.extend_from_slice(&(W as i32).to_le_bytes());
    out.extend_from_slice(&(W as i32).to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&8u16.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(pixels as u32).to_le_bytes());
    out.extend_from_slice(&2835u32.to_le_bytes());
    out.extend_from_slice(&2835u32.to_le_bytes());
    out.extend_from_slice(&256u32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    for g in 0..=255u8 {
        out.extend_from_slice(&[g, g, g, 0]);
    }
    // A few blobs at random places, summed with a gradient.
    let blobs: Vec<(f64, f64, f64, f64)> = (0..12)
        .map(|_| {
            (
                rng.below(W) as f64,
                rng.below(W) as f64,
                20.0 + rng.below(120) as f64,
                rng.below(160) as f64 - 80.0,
            )
        })
        .collect();
    for y in 0..W {
        for x in 0..W {
            let mut v = 60.0 + 0.15 * x as f64 + 0.1 * y as f64;
            for (bx, by, r, a) in &blobs {
                let d2 = ((x as f64 - bx).powi(2) + (y as f64 - by).powi(2)) / (r * r);
                v += a * (-d2).exp();
            }
            v += (rng.below(25) as f64) - 12.0;
            out.push(v.clamp(0.0, 255.0) as u8);
        }
    }
    while out.len() < size {
        let more = out[offset..].to_vec();
        out.extend_from_slice(&more);
    }
    out
}

const SYLLABLES: &[&str] = &[
    "ge", "be", "ver", "er", "ein", "und", "der", "die", "das", "ich", "nicht", "mit", "sch",
    "lie", "ben", "ten", "lich", "keit", "heit", "wel", "geist", "herz", "na", "tur", "welt",
    "ewig", "kraft", "nacht", "tag", "mensch", "gott", "für", "über", "schö", "hö", "grü", "ß",
    "ä", "ö", "ü", "zau", "ber", "bu", "ch", "fau", "st", "mei", "ster", "wi", "ssen",
];

const SPEAKERS: &[&str] = &[
    "FAUST",
    "MEPHISTOPHELES",
    "WAGNER",
    "GRETCHEN",
    "MARTHE",
    "CHOR",
];

/// Verse-like German prose: speaker lines, short rhymed-looking lines, umlauts.
fn prose(rng: &mut Rng, size: usize) -> Vec<u8> {
    let mut s = String::new();
    while s.len() < size {
        s += &format!("\n{}:\n", rng.pick(SPEAKERS));
        for _ in 0..2 + rng.below(8) {
            let words = 3 + rng.below(6);
            let mut line = String::new();
            for w in 0..words {
                let mut word = String::new();
                for _ in 0..1 + rng.below(3) {
                    word += rng.pick(SYLLABLES);
                }
                if w == 0 {
                    let mut c = word.chars();
                    if let Some(first) = c.next() {
                        word = first.to_uppercase().chain(c).collect();
                    }
                } else {
                    line.push(' ');
                }
                line += &word;
            }
            line += rng.pick(&[",", ".", "!", ";", "?", ","]);
            s += &line;
            s += "\n";
        }
    }
    s.into_bytes()
}

/// A results page as a conformance report renders it: a style sheet, then a table with one
/// row per case and a cell per agent. Generated markup repeats itself, so it compresses to
/// about 5%, as Autobahn's HTML file does.
fn html(rng: &mut Rng, size: usize) -> Vec<u8> {
    const CELLS: &[(&str, &str)] = &[
        ("case_ok", "Pass"),
        ("case_ok", "Pass"),
        ("case_ok", "Pass"),
        ("case_non_strict", "Non-Strict"),
        ("case_info", "Info"),
        ("case_failed", "Fail"),
    ];
    let mut s = String::from(
        "<!DOCTYPE html>\n<html>\n   <head>\n      <meta charset=\"utf-8\" />\n      <style lang=\"css\">\n",
    );
    for class in [
        "case_ok",
        "case_non_strict",
        "case_info",
        "case_failed",
        "case_missing",
    ] {
        s += &format!(
            "td.{class} {{\n   background-color: #{:06x};\n   font-size: {}px;\n   text-align: left;\n   padding: 1px 4px;\n}}\n\n",
            rng.next() & 0xff_ffff,
            9 + rng.below(4)
        );
    }
    s += "      </style>\n   </head>\n   <body>\n      <table id=\"agent_case_results\">\n";
    let agents: Vec<String> = (0..2 + rng.below(4))
        .map(|_| format!("{}_{}", rng.pick(WORDS), rng.below(10)))
        .collect();
    let (mut section, mut group, mut case) = (1, 1, 0);
    while s.len() < size {
        case += 1;
        if rng.below(16) == 0 {
            (group, case) = (group + 1, 1);
        }
        if group > 8 {
            (section, group) = (section % 13 + 1, 1);
        }
        let id = format!("{section}.{group}.{case}");
        s += &format!("         <tr>\n            <td class=\"case\"><a href=\"#case_{}\">Case {id}</a></td>\n", id.replace('.', "_"));
        for agent in &agents {
            let (class, text) = CELLS[rng.below(CELLS.len())];
            s += &format!(
                "            <td class=\"{class}\"><a href=\"{agent}_case_{}.html\">{text}</a><br/><span class=\"case_duration\">{} ms</span></td>\n",
                id.replace('.', "_"),
                1 + rng.below(12)
            );
        }
        s += "         </tr>\n";
    }
    s += "      </table>\n   </body>\n</html>\n";
    s.into_bytes()
}

/// PDF-like: a header, then pages, each an image stream of random octets (already compressed
/// data in a real PDF, so it does not compress) and an uncompressed text content stream (which
/// does). Together they compress to about three quarters, as a real PDF does.
fn pdf(rng: &mut Rng, size: usize) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut obj = 1;
    while out.len() < size {
        let len = 512 + rng.below(8192);
        out.extend_from_slice(
            format!(
                "{obj} 0 obj\n<< /Type /XObject /Subtype /Image /Width {} /Height {} /Filter /FlateDecode /Length {len} >>\nstream\n",
                16 + rng.below(512),
                16 + rng.below(512)
            )
            .as_bytes(),
        );
        out.extend((0..len).map(|_| (rng.next() & 0xff) as u8));
        out.extend_from_slice(b"\nendstream\nendobj\n");
        obj += 1;
        let mut text = String::from("BT\n/F1 10 Tf\n");
        for line in 0..10 + rng.below(30) {
            let words: Vec<&str> = (0..4 + rng.below(8)).map(|_| rng.pick(WORDS)).collect();
            text += &format!("72 {} Td\n({}) Tj\n", 720 - 12 * line, words.join(" "));
        }
        text += "ET\n";
        out.extend_from_slice(
            format!(
                "{obj} 0 obj\n<< /Length {} >>\nstream\n{text}endstream\nendobj\n",
                text.len()
            )
            .as_bytes(),
        );
        obj += 1;
        out.extend_from_slice(
            format!(
                "{obj} 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {} 0 R /Resources << /XObject << /Im{} {} 0 R >> >> >>\nendobj\n",
                obj - 1,
                obj - 2,
                obj - 2
            )
            .as_bytes(),
        );
        obj += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(kind: DatasetKind, size: usize) -> Dataset {
        Dataset {
            kind,
            size,
            seed: 1,
        }
    }

    #[test]
    fn exact_size_deterministic_and_seed_dependent() {
        for kind in [
            DatasetKind::Json,
            DatasetKind::Bitmap,
            DatasetKind::Text,
            DatasetKind::Html,
            DatasetKind::Pdf,
        ] {
            let a = generate(&set(kind, 200_000));
            assert_eq!(a.len(), 200_000, "{kind:?}");
            assert_eq!(a, generate(&set(kind, 200_000)), "{kind:?}");
            let other = Dataset {
                seed: 2,
                ..set(kind, 200_000)
            };
            assert!(a != generate(&other), "{kind:?}: the seed changes nothing");
        }
    }

    #[test]
    fn text_kinds_are_ascii_and_look_right() {
        let j = generate(&set(DatasetKind::Json, 4096));
        assert!(j.is_ascii() && j.starts_with(b"{\n   \""));
        let h = generate(&set(DatasetKind::Html, 4096));
        assert!(h.is_ascii() && h.starts_with(b"<!DOCTYPE html>"));
        let b = generate(&set(DatasetKind::Bitmap, 263_222));
        assert!(b.starts_with(b"BM"));
        let p = generate(&set(DatasetKind::Pdf, 100_000));
        assert!(p.starts_with(b"%PDF-1.4"));
        let t = generate(&set(DatasetKind::Text, 100_000));
        assert!(std::str::from_utf8(&t).is_ok());
    }

    /// Whole-set zlib ratios (level 6) in the bands of Autobahn's own files, which are 0.044
    /// (JSON), 0.851 (bitmap), 0.389 (Faust), 0.055 (HTML) and 0.758 (PDF): the compression
    /// cases then stress a peer's compressor as Autobahn's do, and report comparable ratios.
    #[test]
    fn compression_ratios_are_like_autobahns_files() {
        use std::io::Write as _;
        for (kind, size, low, high) in [
            (DatasetKind::Json, 194_056, 0.02, 0.08),
            (DatasetKind::Bitmap, 263_222, 0.78, 0.92),
            (DatasetKind::Text, 222_218, 0.30, 0.45),
            (DatasetKind::Html, 263_647, 0.02, 0.09),
            (DatasetKind::Pdf, 1_042_328, 0.68, 0.84),
        ] {
            let data = generate(&set(kind, size));
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
            z.write_all(&data).unwrap();
            let ratio = z.finish().unwrap().len() as f64 / size as f64;
            assert!(
                (low..=high).contains(&ratio),
                "{kind:?}: ratio {ratio:.3} outside {low}..={high}"
            );
        }
    }
}
