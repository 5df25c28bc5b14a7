//! Image buffers: 8-bit grey for input and output, f32 planes for the arithmetic between.

/// An 8-bit grey image, row-major, 0 = black.
#[derive(Clone, PartialEq, Eq)]
pub struct Grey {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `width * height` pixels.
    pub pixels: Vec<u8>,
}

impl std::fmt::Debug for Grey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Grey({}x{})", self.width, self.height)
    }
}

impl Grey {
    /// Wraps pixels; `None` when their count does not match the size.
    pub fn new(width: usize, height: usize, pixels: Vec<u8>) -> Option<Self> {
        (width > 0 && height > 0 && pixels.len() == width * height).then_some(Grey { width, height, pixels })
    }

    /// The image as floats.
    pub fn to_plane(&self) -> Plane {
        Plane { width: self.width, height: self.height, data: self.pixels.iter().map(|&p| f32::from(p)).collect() }
    }

    /// Resamples by `factor` (bilinear, with a box pre-filter when shrinking), e.g. 500/1000 to
    /// bring a 1000 dpi scan to 500 dpi.
    pub fn rescale(&self, factor: f32) -> Grey {
        if (factor - 1.0).abs() < 1e-3 {
            return self.clone();
        }
        let mut plane = self.to_plane();
        if factor < 1.0 {
            plane = crate::filters::box_blur(&plane, ((0.5 / factor).floor() as usize).max(1) - 1);
        }
        let w = ((self.width as f32 * factor).round() as usize).max(1);
        let h = ((self.height as f32 * factor).round() as usize).max(1);
        let mut out = Plane::new(w, h, 0.0);
        for y in 0..h {
            for x in 0..w {
                let sx = (x as f32 + 0.5) / factor - 0.5;
                let sy = (y as f32 + 0.5) / factor - 0.5;
                out.data[y * w + x] = plane.sample(sx, sy, 255.0);
            }
        }
        out.to_grey()
    }

    /// Mean grey level.
    pub fn mean(&self) -> f32 {
        self.pixels.iter().map(|&p| f32::from(p)).sum::<f32>() / self.pixels.len().max(1) as f32
    }
}

/// A float image, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Plane {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `width * height` values.
    pub data: Vec<f32>,
}

impl Plane {
    /// A plane filled with `value`.
    pub fn new(width: usize, height: usize, value: f32) -> Self {
        Plane { width, height, data: vec![value; width * height] }
    }

    /// The value at (x, y).
    #[inline]
    pub fn at(&self, x: usize, y: usize) -> f32 {
        self.data[y * self.width + x]
    }

    /// Bilinear sample at (x, y) in pixel coordinates; `outside` beyond the edges.
    #[inline]
    pub fn sample(&self, x: f32, y: f32, outside: f32) -> f32 {
        if !(x >= 0.0 && y >= 0.0) || x > (self.width - 1) as f32 || y > (self.height - 1) as f32 {
            return outside;
        }
        let (x0, y0) = (x as usize, y as usize);
        let (x1, y1) = ((x0 + 1).min(self.width - 1), (y0 + 1).min(self.height - 1));
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let top = self.at(x0, y0) * (1.0 - fx) + self.at(x1, y0) * fx;
        let bottom = self.at(x0, y1) * (1.0 - fx) + self.at(x1, y1) * fx;
        top * (1.0 - fy) + bottom * fy
    }

    /// Rounds and clamps to 8-bit grey.
    pub fn to_grey(&self) -> Grey {
        Grey {
            width: self.width,
            height: self.height,
            pixels: self.data.iter().map(|v| v.round().clamp(0.0, 255.0) as u8).collect(),
        }
    }
}
