package dev.granitej.model;

import dev.granitej.config.GraniteConfig;
import dev.granitej.io.Checkpoint;
import dev.granitej.kernels.CausalConv1d;
import dev.granitej.kernels.Parallel;
import dev.granitej.kernels.SsmScan;
import dev.granitej.kernels.Vec;

/**
 * The Mamba-2 mixer of one layer (HF {@code GraniteMoeHybridMambaLayer}): in_proj splits into the gate z, the
 * conv input xBC and the raw time steps; a causal depthwise conv with SiLU gives x, B and C; the selective
 * scan runs token by token in fp32; then {@code y·silu(z)} is RMS-normalised over the whole inner width
 * (as HF does, also with several groups) and projected back by out_proj. Prefill and decode are the same
 * recurrence, so a prompt fed in chunks gives the result of feeding it at once.
 */
final class Mamba2Mixer implements Mixer {

    private final int layer;
    private final int hidden;
    private final int inner;
    private final int convDim;
    private final int projDim;
    private final int heads;
    private final int headDim;
    private final int stateSize;
    private final int groups;
    private final int convKernel;
    private final float eps;
    private final float timeStepMin;
    private final float timeStepMax;
    private final Linear inProj;
    private final Linear outProj;
    private final Parallel pool;
    /** Conv taps time-major, {@code [K][conv_dim]}, so the kernel runs along channels. */
    private final float[] convWeight;
    private final float[] convBias;
    private final float[] dtBias;
    /** {@code A = -exp(A_log)}, precomputed in fp32 as HF does. */
    private final float[] a;
    private final float[] d;
    private final float[] normWeight;

    Mamba2Mixer(GraniteConfig c, Weights w, int layer) {
        Checkpoint ckpt = w.checkpoint;
        this.pool = w.pool;
        this.layer = layer;
        this.hidden = c.hiddenSize();
        this.inner = c.mambaInner();
        this.convDim = c.mambaConvDim();
        this.projDim = c.mambaInProjDim();
        this.heads = c.mambaHeads();
        this.headDim = c.mambaHeadDim();
        this.stateSize = c.mambaStateSize();
        this.groups = c.mambaGroups();
        this.convKernel = c.mambaConvKernel();
        this.eps = c.rmsNormEps();
        this.timeStepMin = c.timeStepMin();
        this.timeStepMax = c.timeStepMax();
        String p = "model.layers." + layer + ".mamba.";
        this.inProj = w.linear(p + "in_proj.weight", projDim, hidden);
        this.outProj = w.linear(p + "out_proj.weight", hidden, inner);
        float[] taps = ckpt.tensor(p + "conv1d.weight").requireShape(convDim, 1, convKernel).toFloatArray();
        this.convWeight = new float[convKernel * convDim];
        for (int ch = 0; ch < convDim; ch++) {
            for (int k = 0; k < convKernel; k++) {
                convWeight[k * convDim + ch] = taps[ch * convKernel + k];
            }
        }
        this.convBias = c.mambaConvBias()
                ? ckpt.tensor(p + "conv1d.bias").requireShape(convDim).toFloatArray()
                : new float[convDim];
        this.dtBias = ckpt.tensor(p + "dt_bias").requireShape(heads).toFloatArray();
        float[] aLog = ckpt.tensor(p + "A_log").requireShape(heads).toFloatArray();
        this.a = new float[heads];
        for (int h = 0; h < heads; h++) {
            a[h] = (float) -Math.exp(aLog[h]);
        }
        this.d = ckpt.tensor(p + "D").requireShape(heads).toFloatArray();
        this.normWeight = ckpt.tensor(p + "norm.weight").requireShape(inner).toFloatArray();
    }

    @Override
    public void forward(Workspace ws, float[] in, float[] out) {
        int tokens = ws.tokens;
        float[] proj = ws.mambaProj;
        float[] xc = ws.convOut;
        float[] y = ws.mambaGated;
        inProj.forward(ws, in, hidden, proj, projDim);
        // The convolution runs row by row (each row shifts its sequence's window); the scan then runs head by head
        // over all rows, the heads split over the threads, so a pass meets the threads once, not once per row.
        for (int t = 0; t < tokens; t++) {
            MambaState s = ws.rowState[t].mamba(layer);
            CausalConv1d.step(s.conv, 0, convWeight, convBias, convKernel, convDim, proj, t * projDim + inner,
                    xc, t * convDim);
            Vec.silu(xc, t * convDim, convDim);
        }
        pool.forRange(0, heads, 1, this, ws, Mamba2Mixer::scanHeads);
        pool.forRange(0, tokens, 1, this, ws, Mamba2Mixer::gateRows);
        outProj.forward(ws, y, inner, out, hidden);
    }

    /** Rows {@code [t0, t1)}: gate first, then normalise over the whole inner width (HF MambaRMSNormGated). */
    private void gateRows(Workspace ws, int t0, int t1) {
        float[] proj = ws.mambaProj;
        float[] y = ws.mambaGated;
        for (int t = t0; t < t1; t++) {
            Vec.swiglu(y, t * inner, proj, t * projDim, y, t * inner, inner);
            Vec.rmsNorm(y, t * inner, y, t * inner, normWeight, 0, inner, eps);
        }
    }

    /**
     * Heads {@code [h0, h1)} of the selective scan for every row of the pass, rows in order. Head by head: one
     * head's state (headDim × stateSize floats, 16-32 KiB) stays in L1 over all the rows of a prompt, where row
     * by row every row streamed all the heads' states (0.75-1.5 MiB a layer) through L2 or L3.
     */
    private void scanHeads(Workspace ws, int h0, int h1) {
        float[] proj = ws.mambaProj;
        float[] xc = ws.convOut;
        float[] y = ws.mambaGated;
        int headsPerGroup = heads / groups;
        int cOffset = inner + groups * stateSize;
        for (int h = h0; h < h1; h++) {
            int g = h / headsPerGroup;
            for (int t = 0; t < ws.tokens; t++) {
                float[] ssm = ws.rowState[t].mamba(layer).ssm;
                int row = t * projDim;
                int x = t * convDim;
                float dt = softplus(proj[row + inner + convDim + h] + dtBias[h]);
                dt = Math.min(Math.max(dt, timeStepMin), timeStepMax);
                float dA = (float) Math.exp(dt * a[h]);
                SsmScan.step(ssm, h * headDim * stateSize, headDim, stateSize, dt, dA,
                        xc, x + h * headDim, xc, x + inner + g * stateSize, xc, x + cOffset + g * stateSize, d[h],
                        y, t * inner + h * headDim);
            }
        }
    }

    /** torch's softplus with its default threshold of 20. */
    static float softplus(float v) {
        return v > 20f ? v : (float) Math.log1p(Math.exp(v));
    }
}
