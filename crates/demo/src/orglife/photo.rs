//! Photos for demo records: tiny valid PNG images (16×16, a colour pattern drawn from a seed), so
//! that pages show real thumbnails while a city's worth of photos stays a few megabytes. Different
//! seeds give different files, the same seed the same file — which is how a photo is "reused".

/// A 16×16 RGB PNG whose pixels depend on `seed`.
pub fn png(seed: u64) -> Vec<u8> {
    const SIDE: u32 = 16;
    let mut raw = Vec::with_capacity(((SIDE * 3 + 1) * SIDE) as usize);
    let [r, g, b, x, y, ..] = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).to_le_bytes();
    for row in 0..SIDE {
        raw.push(0); // filter: none
        for col in 0..SIDE {
            let stripe = ((row as u8).wrapping_mul(x) ^ (col as u8).wrapping_mul(y)) & 0x3F;
            raw.extend([r ^ stripe, g.wrapping_add(stripe), b]);
        }
    }
    // The seed itself in the first pixels, so that different seeds never make the same file.
    raw[1..9].copy_from_slice(&seed.to_le_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(SIDE.to_be_bytes());
    ihdr.extend(SIDE.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter method, no interlace
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &stored_zlib(&raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend(kind);
    out.extend(data);
    let crc = crc32(&out[start..]);
    out.extend(crc.to_be_bytes());
}

/// A zlib stream of one uncompressed deflate block (the data is under 64 KiB).
fn stored_zlib(data: &[u8]) -> Vec<u8> {
    let len = data.len() as u16;
    let mut z = vec![0x78, 0x01, 0x01];
    z.extend(len.to_le_bytes());
    z.extend((!len).to_le_bytes());
    z.extend(data);
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    z.extend(((b << 16) | a).to_be_bytes());
    z
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_are_pngs_that_differ_by_seed() {
        let a = png(1);
        assert!(a.starts_with(b"\x89PNG\r\n\x1a\n") && a.ends_with(&[0xAE, 0x42, 0x60, 0x82]), "IEND's known CRC");
        assert_eq!(a, png(1));
        assert_ne!(a, png(2));
        assert!(a.len() < 1000);
    }
}
