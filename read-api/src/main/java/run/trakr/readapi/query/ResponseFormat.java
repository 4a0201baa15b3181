package run.trakr.readapi.query;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

import run.trakr.readapi.system.ApiError;
import run.trakr.readapi.system.ApiException;
import run.trakr.readapi.system.ErrorCode;

/**
 * What a route answers in, chosen from the request's {@code Accept} (extensions.md §4):
 * JSON for no {@code Accept}, {@code *}{@code /*} or anything that allows it, as the
 * public document says; an export format when the client asks for it; 406 for an
 * {@code Accept} that allows none of the route's formats.
 */
public enum ResponseFormat {

	JSON(MediaType.APPLICATION_JSON),

	/** One JSON object a line. */
	NDJSON(MediaType.APPLICATION_NDJSON),

	/** RFC 4180, with a header line. */
	CSV(new MediaType("text", "csv"));

	private final MediaType mediaType;

	ResponseFormat(MediaType mediaType) {
		this.mediaType = mediaType;
	}

	public MediaType mediaType() {
		return this.mediaType;
	}

	/**
	 * The first of {@code offered} (JSON first) that the most preferred acceptable media
	 * type allows.
	 */
	public static ResponseFormat negotiate(HttpServletRequest request, ResponseFormat... offered) {
		List<String> headers = Collections.list(request.getHeaders(HttpHeaders.ACCEPT));
		String accept = String.join(",", headers).trim();
		if (accept.isEmpty()) {
			return JSON;
		}
		List<MediaType> accepted;
		try {
			accepted = new ArrayList<>(MediaType.parseMediaTypes(accept));
		}
		catch (InvalidMediaTypeException ex) {
			throw notAcceptable(offered);
		}
		// Most preferred first; equal preference keeps the client's order.
		accepted.sort(Comparator.comparingDouble(MediaType::getQualityValue).reversed());
		for (MediaType type : accepted) {
			if (type.getQualityValue() <= 0) {
				continue;
			}
			for (ResponseFormat format : offered) {
				if (type.includes(format.mediaType) && !excluded(accepted, format)) {
					return format;
				}
			}
		}
		throw notAcceptable(offered);
	}

	/** {@code text/csv;q=0} refuses CSV even beside {@code *}{@code /*}. */
	private static boolean excluded(List<MediaType> accepted, ResponseFormat format) {
		return accepted.stream()
			.anyMatch(type -> type.getQualityValue() <= 0 && type.isConcrete()
					&& type.equalsTypeAndSubtype(format.mediaType));
	}

	private static ApiException notAcceptable(ResponseFormat... offered) {
		List<String> types = new ArrayList<>();
		for (ResponseFormat format : offered) {
			types.add(format.mediaType.toString());
		}
		return new ApiException(ErrorCode.NOT_ACCEPTABLE, new ApiError(ErrorCode.NOT_ACCEPTABLE.message(),
				ErrorCode.NOT_ACCEPTABLE.code(),
				List.of(new ApiError.ParameterProblem("Accept", "must allow one of " + String.join(", ", types)))));
	}

}
