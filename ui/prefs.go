package ui

// Preference keys. Values are kept by Fyne's preferences, per app ID.
const (
	prefLastFilesDir = "library.lastFilesDir" // folder of the last file added
	prefLastFolder   = "library.lastFolder"   // last folder added
	prefSaveDir      = "save.dir"             // folder results were last saved to
	prefSaveFormat   = "save.format"          // "PNG" or "JPEG"
	prefSaveQuality  = "save.quality"         // JPEG quality, 1–100
	prefTask         = "corruption.task"      // a Task
	prefNoiseKind    = "corruption.kind"      // name of a corruption kind
	prefStrength     = "corruption.strength"  // strength slider value
	prefSeed         = "corruption.seed"      // seed of the random corruption
	prefCompareMode  = "compare.mode"         // "side by side" or "slider"
	prefWindowWidth  = "window.width"         // window size, logical pixels
	prefWindowHeight = "window.height"
	prefSigma        = "restore.sigma"      // σ to remove, 0–255; 0 for auto
	prefPasses       = "restore.passes"     // passes of the denoiser: 1, 2, 4 or 8
	prefCollection   = "restore.collection" // collection mode for watermark removal
	prefTakeOff      = "restore.takeOff"    // share of the marks taken off, percent
	prefBrushRadius  = "compare.brushSize"  // mask brush radius, image pixels
	prefModelDir     = "models.dir"         // folder of the last model opened or saved
	prefTrainFolder  = "training.folder"    // folder last trained on
	prefTrainPreset  = "training.preset"    // name of the network preset
	prefTrainMinutes = "training.minutes"   // time budget
	prefChartAxis    = "training.chartAxis" // "Steps" or "Time"
)
